// Package httpapi serves gone's HTTP API: the lifecycle of every resource,
// decided by gone.Decide and written as RFC 9457 problems.
package httpapi

import (
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/edge"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/inbox"
	"github.com/gonehttp/gone/sitemap"
)

// MaxBodyBytes is the largest request body accepted (413 beyond it).
const MaxBodyBytes = 1 << 20

// server holds the dependencies the handlers share.
type server struct {
	log    *slog.Logger
	svc    *gone.Service
	tokens *Tokens
	// prefix is the path prefix of every collection ("/api").
	prefix string
	// routes is the route table, for suggestions and 405 answers.
	routes []route
	// collections are the configured names, sorted once for suggestions.
	collections []string
	// memos keeps the answers of plain reads (see memo.go); nil unless
	// WithMemos.
	memos Memos
	// metrics counts decisions and replays, and serves /metrics; nil
	// unless WithMetrics was given. (The edge counts requests.)
	metrics *httpMetrics
	// metricsAccess says who may read GET /metrics.
	metricsAccess MetricsAccess
	// hub wakes change streams; feed tunes them; stop ends them.
	hub     *changeHub
	feed    FeedSettings
	stop    <-chan struct{}
	streams atomic.Int64 // open change streams
	// tokenStreams counts the open change streams of each caller.
	tokenStreams streamCounts
	// maxRetryAfter caps the Retry-After of 503 answers.
	maxRetryAfter time.Duration
	// rules answers the paths no route serves that a path rule retired or
	// moved; nil when serve answers none (WithRules).
	rules *gonehttp.Rules
	// corsPolicy is the front doors' CORS policy (WithCORS).
	corsPolicy answer.CORS
	// limiter counts failed authentications; nil when disabled.
	limiter *edge.AuthLimiter
	// hooks keeps webhook subscriptions; nil when the store does not.
	hooks gone.WebhookStore
	// sitemaps tunes /sitemap.xml and /sitemap-removed.xml.
	sitemaps SitemapSettings
	// sitemapMemo keeps the sitemaps' lists for sitemap.MaxAge: an
	// anonymous GET scans the store at most once per list and MaxAge.
	sitemapMemo *sitemap.Memo
	// inbox is the 404 inbox's admin side, nil unless WithInbox; misses
	// hears of unknown routes, nil unless WithMisses (see inbox.go).
	inbox  *inbox.Inbox
	misses gone.MissRecorder
	// front is the front door serving the API (WithFront), for the index.
	front Front
	// problemBase is where the door serving the API documents problem
	// types (WithProblemBase); "" for answer.Base.
	problemBase string
}

// NewServer returns the gone HTTP API as one handler. Options (such as
// WithMetrics) add to it. It is served behind the edge (edge.Serve or
// edge.Handler), which gives each request its id, log line, counts, panic
// recovery and shedding; NeverShed says which requests shedding must let
// through.
func NewServer(log *slog.Logger, svc *gone.Service, tokens *Tokens, opts ...Option) http.Handler {
	s := &server{log: log, svc: svc, tokens: tokens, prefix: "/api", collections: svc.Config().Names(), maxRetryAfter: DefaultMaxRetryAfter,
		limiter: edge.NewAuthLimiter(edge.DefaultAuthFailures)}
	for _, opt := range opts {
		opt(s)
	}
	s.feed = s.feed.withDefaults()
	s.sitemapMemo = new(sitemap.Memo)
	if s.hooks == nil {
		s.hooks = svc.Webhooks()
	}
	s.hub = newChangeHub(svc, s.feed.Poll, log)
	mux := http.NewServeMux()
	s.addRoutes(mux)
	h := notePattern(mux)
	h = s.cleanPaths(h)
	h = s.authenticate(h)
	h = s.cors(h)
	h = s.sharedCacheSafe(h)
	h = s.keep(h)
	return h
}

// WithRules answers, on every path no route of the API serves, the path
// rules of rules (410, 308, 503), as gone proxy answers them in front of a
// site: an unknown route that a rule retired is gone, not missing.
func WithRules(rules *gonehttp.Rules) Option { return func(s *server) { s.rules = rules } }

// WithProblemBase sets where the door serving the API documents problem
// types, when it serves the API below a prefix (the proxy's admin prefix):
// a problem's type is a URI reference its client resolves against the
// request's URL, so "/problems/gone" must then be
// "/_gone/problems/gone" to reach the documentation rather than the site.
func WithProblemBase(base string) Option { return func(s *server) { s.problemBase = base } }

// WithCORS sets which browser origins may call the API (none by default).
func WithCORS(p answer.CORSPolicy) Option {
	return func(s *server) { s.corsPolicy = answer.NewCORS(p) }
}

// WithAuthFailureLimit sets how many failed authentications a client
// address may make per minute before it is answered 429 (default
// edge.DefaultAuthFailures); zero or less turns the limit off.
func WithAuthFailureLimit(perMinute int) Option {
	return func(s *server) { s.limiter = edge.NewAuthLimiter(perMinute) }
}

func (s *server) resourcePath(collection, id string) string {
	return s.prefix + "/" + collection + "/" + id
}

// NeverShed reports whether shedding must let r through at once (for
// edge.Config.Unshed): what an orchestrator must reach most when the server
// is busiest (health, readiness, metrics), and change streams, which would
// hold a slot for hours while they mostly wait (FeedSettings.MaxStreams
// bounds them instead). path is r's path below the API's root (the proxy
// serves the API below its admin prefix).
func NeverShed(r *http.Request, path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return isChangeStream(r, path)
}
