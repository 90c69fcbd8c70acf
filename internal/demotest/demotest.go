// Package demotest gives tests a real gone server: a temp-dir SQLite file
// loaded with the demo world, a clock the test moves, and the HTTP handler
// with an admin and a read token. The httpapi, client and CLI tests all
// start from it, and every exchange they make with its handler is checked
// against the OpenAPI document the handler serves (internal/contract).
package demotest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/edge"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/contract"
	"github.com/gonehttp/gone/readcache"
	"github.com/gonehttp/gone/sqlite"
)

// The tokens Handler accepts.
const (
	AdminToken  = "admin-secret"
	ReaderToken = "reader-secret"
)

// Now is the world's starting "now": after every event of the demo.
var Now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// World is the demo world over a real SQLite file, read through the read
// cache as `gone serve` reads it, so every test of the API also tests that
// the cache changes no answer.
type World struct {
	Service *gone.Service
	Store   *sqlite.Store
	Cache   *readcache.Store
	Clock   *Clock
	// Path is the SQLite file, for tests that read its bytes.
	Path string
	tb   testing.TB
}

// New opens a fresh demo world; it closes with the test.
func New(t testing.TB, opts ...gone.Option) *World {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gone.db")
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	// Trusted from the start: the test process is the file's only writer.
	cache := readcache.New(store, readcache.DefaultMaxEntries, true)
	c := &Clock{t: Now}
	svc := gone.NewService(cache, demo.Config(), append([]gone.Option{gone.WithClock(c.Now)}, opts...)...)
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	return &World{Service: svc, Store: store, Cache: cache, Path: path, Clock: c, tb: t}
}

// Handler is the world's HTTP API with AdminToken (named "admin") and
// ReaderToken (named "reader"), behind the edge as gone serve mounts it
// (request ids, the request log, panic recovery). A nil log discards the
// request log. Every exchange is checked against the served OpenAPI
// document (see Check).
func (w *World) Handler(log *slog.Logger, opts ...httpapi.Option) http.Handler {
	return w.Check(w.UncheckedHandler(log, opts...))
}

// EdgeHandler is Handler behind an edge configured by ec (its metrics,
// its shedding): ec.Log is the request log; shedding lets through what
// httpapi.NeverShed names unless ec.Unshed says otherwise.
func (w *World) EdgeHandler(ec edge.Config, opts ...httpapi.Option) http.Handler {
	return w.Check(w.edgeHandler(ec, opts...))
}

// UncheckedHandler is Handler without the contract check, for benchmarks
// and fuzzing, which measure or explore the server alone.
func (w *World) UncheckedHandler(log *slog.Logger, opts ...httpapi.Option) http.Handler {
	return w.edgeHandler(edge.Config{Log: log}, opts...)
}

func (w *World) edgeHandler(ec edge.Config, opts ...httpapi.Option) http.Handler {
	if ec.Log == nil {
		ec.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if ec.Unshed == nil {
		ec.Unshed = func(r *http.Request) bool { return httpapi.NeverShed(r, r.URL.Path) }
	}
	return edge.Handler(w.API(ec.Log, opts...), ec)
}

// API is the world's HTTP API alone, as NewServer returns it, without the
// edge: for a test that mounts it in an edge or a proxy of its own.
func (w *World) API(log *slog.Logger, opts ...httpapi.Option) http.Handler {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	tokens := httpapi.NewTokens()
	tokens.Add(AdminToken, "admin", true)
	tokens.Add(ReaderToken, "reader", false)
	// The webhook tables live in the store behind the cache.
	// The answers of plain reads are kept beside the cache's records, as
	// gone serve keeps them.
	opts = append([]httpapi.Option{httpapi.WithWebhooks(w.Store), httpapi.WithMemos(w.Cache)}, opts...)
	return httpapi.NewServer(log, w.Service, tokens, opts...)
}

// Check returns h with every exchange validated against the document the
// server serves at /openapi.json, with kin-openapi: an undocumented route
// or status, or a body or header of another shape, fails the test with
// the operation, status and member that differ. The document is fetched
// from a server of its own, so h's metrics see only the test's requests.
func (w *World) Check(h http.Handler) http.Handler {
	w.tb.Helper()
	return contract.Handler(w.tb, w.Contract(), h)
}

// Contract is the checker of the document the world's server serves.
func (w *World) Contract() *contract.Checker {
	w.tb.Helper()
	spec, err := contract.Served(httpapi.NewServer(slog.New(slog.DiscardHandler), w.Service, httpapi.NewTokens()))
	if err != nil {
		w.tb.Fatal(err)
	}
	c, err := contract.Load(spec)
	if err != nil {
		w.tb.Fatal(err)
	}
	return c
}
