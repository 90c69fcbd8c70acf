// Package client is the Go client of a gone server. It treats each answer
// as the seeds say a caller must:
//
//   - 410 Gone is permanent: never retried, purged from the cache, and
//     remembered, so later reads of the id fail at once without a request;
//     an OnGone hook lets the application purge its own caches.
//   - 404 Not Found might change: not retried unless asked, and reused only
//     for the server's Cache-Control max-age.
//   - 503, 429 and network errors are temporary: idempotent requests are
//     retried with exponential backoff and jitter, honouring Retry-After.
//   - 200 is cached with its validators and revalidated (304).
//   - 301 and 308 are followed, and the new location is remembered.
//
// Every error from the server is an *Error; test it with errors.Is against
// ErrNotFound, ErrGone, ErrUnavailable and the other sentinels. A Client is
// safe for concurrent use and starts no goroutines of its own.
package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Client talks to one gone server.
type Client struct {
	base   *url.URL
	hc     *http.Client
	token  string
	lang   string
	retry  RetryPolicy
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	jitter func() float64
	onGone func(collection, id string, err *Error)
	notice func(Notice)
	log    *slog.Logger
	mem    *memory

	// noticed holds the URLs whose notices the default handler has logged,
	// so each is logged once.
	noticedMu sync.Mutex
	noticed   *lru[struct{}]
}

// Default sizes of the client's memory.
const (
	DefaultCacheEntries = 1000
	DefaultGoneEntries  = 10000
)

// New returns a client of the gone server at baseURL (for example
// "http://127.0.0.1:8080"). Resource paths are baseURL + "/api/…".
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("gone client: base URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("gone client: base URL %q must be http:// or https:// with a host", baseURL)
	}
	s := settings{
		hc: http.DefaultClient, retry: DefaultRetryPolicy(), now: time.Now, sleep: sleepCtx,
		jitter: randFloat, cache: DefaultCacheEntries, gone: DefaultGoneEntries, log: slog.Default(),
	}
	for _, o := range opts {
		o(&s)
	}
	// Redirects are followed here, not by net/http, so that a 301 or 308
	// is remembered; the copy leaves the caller's *http.Client untouched.
	hc := *s.hc
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &Client{
		base: u, hc: &hc, token: s.token, lang: s.lang, retry: s.retry,
		now: s.now, sleep: s.sleep, jitter: s.jitter, onGone: s.onGone, notice: s.notice,
		log: s.log, mem: newMemory(s.cache, s.gone), noticed: newLRU[struct{}](DefaultCacheEntries),
	}
	if c.notice == nil {
		c.notice = c.logNoticeOnce
	}
	return c, nil
}

// settings collects the options before New builds the Client.
type settings struct {
	hc          *http.Client
	token, lang string
	retry       RetryPolicy
	now         func() time.Time
	sleep       func(context.Context, time.Duration) error
	jitter      func() float64
	onGone      func(collection, id string, err *Error)
	notice      func(Notice)
	cache, gone int
	log         *slog.Logger
}

// Option configures a Client.
type Option func(*settings)

// WithToken sends token as a bearer token on every request.
func WithToken(token string) Option { return func(s *settings) { s.token = token } }

// WithHTTPClient sends requests through hc instead of http.DefaultClient.
// Its CheckRedirect is ignored: the client follows redirects itself.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) {
		if hc != nil {
			s.hc = hc
		}
	}
}

// WithLanguage asks for problem texts in lang ("en", "es") through
// Accept-Language.
func WithLanguage(lang string) Option { return func(s *settings) { s.lang = lang } }

// WithCache sets how many representations and 404 answers the client keeps
// (DefaultCacheEntries by default); 0 turns that caching off.
func WithCache(entries int) Option { return func(s *settings) { s.cache = max(entries, 0) } }

// WithGoneMemory sets how many gone ids the client remembers
// (DefaultGoneEntries by default). Beyond it the least recently read are
// forgotten and cost one more request each.
func WithGoneMemory(entries int) Option { return func(s *settings) { s.gone = max(entries, 0) } }

// WithRetry replaces the retry policy.
func WithRetry(p RetryPolicy) Option { return func(s *settings) { s.retry = p } }

// WithOnGone calls fn the first time the server answers 410 for an id, so
// the application can purge its own caches and bookmarks. fn must be safe
// for concurrent use.
func WithOnGone(fn func(collection, id string, err *Error)) Option {
	return func(s *settings) { s.onGone = fn }
}

// WithNotice calls fn for every answer that carries Sunset or Deprecation.
// Without it the client logs each URL's notice once.
func WithNotice(fn func(Notice)) Option { return func(s *settings) { s.notice = fn } }

// WithLogger sets the logger of the default notice handler.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) {
		if l != nil {
			s.log = l
		}
	}
}

// WithClock replaces time.Now, for tests of expiry and Retry-After dates.
func WithClock(now func() time.Time) Option { return func(s *settings) { s.now = now } }

// WithSleeper replaces how the client waits between retries, so tests
// never sleep. sleep must return ctx's error if ctx ends first.
func WithSleeper(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(s *settings) { s.sleep = sleep }
}

// WithJitter replaces the random source of backoff jitter: fn returns a
// number in [0, 1).
func WithJitter(fn func() float64) Option { return func(s *settings) { s.jitter = fn } }

// sleepCtx waits for d or until ctx ends, leaving no timer behind.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// resourcePath is the server path of one resource.
func resourcePath(collection, id string) string {
	return "/api/" + url.PathEscape(collection) + "/" + url.PathEscape(id)
}

// errNoLocation is returned for a redirect without a usable Location.
var errNoLocation = errors.New("gone client: redirect without a Location")
