package client_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/client"
	"github.com/gonehttp/gone/internal/demotest"
)

const (
	adminToken  = demotest.AdminToken
	readerToken = demotest.ReaderToken
)

// testNow is after every event of the demo world.
var testNow = demotest.Now

// sleeper records the waits the client asked for, and never sleeps.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return ctx.Err()
}

func (s *sleeper) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// seen is one request that reached the network double.
type seen struct {
	method, path, query, ifNoneMatch string
	status                           int
}

// fault is a failure the network double serves instead of the server.
type fault struct {
	status     int    // 503 or 429
	retryAfter string // Retry-After value, if any
	drop       bool   // close the connection without answering
}

// front stands where the network would: it records every request and can
// answer with injected faults before passing requests to the real server.
type front struct {
	next   http.Handler
	mu     sync.Mutex
	log    []seen
	faults map[string][]fault // by "METHOD path"
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	key := r.Method + " " + r.URL.Path
	var ft *fault
	if q := f.faults[key]; len(q) > 0 {
		ft, f.faults[key] = &q[0], q[1:]
	}
	f.mu.Unlock()
	rec := &statusRecorder{ResponseWriter: w}
	switch {
	case ft != nil && ft.drop:
		// Log before closing: the client may look as soon as it sees
		// the connection drop.
		f.record(r, -1)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	case ft != nil:
		if ft.retryAfter != "" {
			w.Header().Set("Retry-After", ft.retryAfter)
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "injected "+http.StatusText(ft.status), ft.status)
		rec.status = ft.status
	default:
		f.next.ServeHTTP(rec, r)
	}
	f.record(r, rec.status)
}

func (f *front) record(r *http.Request, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("If-None-Match"), status})
}

// inject queues faults for method+path.
func (f *front) inject(method, path string, fs ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[method+" "+path] = append(f.faults[method+" "+path], fs...)
}

// requests returns the requests seen for method+path.
func (f *front) requests(method, path string) []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []seen
	for _, s := range f.log {
		if s.method == method && s.path == path {
			out = append(out, s)
		}
	}
	return out
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController flush change streams through.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// env is a real gone server over a temp-dir SQLite file with the demo
// world, behind the network double.
type env struct {
	t     *testing.T
	svc   *gone.Service
	clock *demotest.Clock
	front *front
	srv   *httptest.Server
	sleep *sleeper
}

func newEnv(t *testing.T) *env {
	t.Helper()
	w := demotest.New(t)
	f := &front{next: w.Handler(nil), faults: map[string][]fault{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return &env{t: t, svc: w.Service, clock: w.Clock, front: f, srv: srv, sleep: &sleeper{}}
}

// client returns a client of the env's server with its clock and sleeper;
// opts come last so a test can override them.
func (e *env) client(opts ...client.Option) *client.Client {
	e.t.Helper()
	base := []client.Option{
		client.WithHTTPClient(e.srv.Client()), client.WithClock(e.clock.Now),
		client.WithSleeper(e.sleep.Sleep), client.WithJitter(func() float64 { return 0.5 }),
		client.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	}
	c, err := client.New(e.srv.URL, append(base, opts...)...)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// admin is a client with the admin token.
func (e *env) admin(opts ...client.Option) *client.Client {
	return e.client(append([]client.Option{client.WithToken(adminToken)}, opts...)...)
}

// count fails the test unless method+path reached the network n times.
func (e *env) count(method, path string, n int) {
	e.t.Helper()
	if got := len(e.front.requests(method, path)); got != n {
		e.t.Errorf("%s %s reached the server %d times, want %d", method, path, got, n)
	}
}
