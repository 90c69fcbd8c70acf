// Package demotest gives tests a real gone server: a temp-dir SQLite file
// loaded with the demo world, a clock the test moves, and the HTTP handler
// with an admin and a read token. The httpapi, client and CLI tests all
// start from it.
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
	"github.com/gonehttp/gone/httpapi"
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
}

// New opens a fresh demo world; it closes with the test.
func New(t testing.TB) *World {
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
	svc := gone.NewService(cache, demo.Config())
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	c := &Clock{t: Now}
	svc.Now = c.Now
	return &World{Service: svc, Store: store, Cache: cache, Path: path, Clock: c}
}

// Handler is the world's HTTP API with AdminToken (named "admin") and
// ReaderToken (named "reader"). A nil log discards the request log.
func (w *World) Handler(log *slog.Logger, opts ...httpapi.Option) http.Handler {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	tokens := httpapi.NewTokens()
	tokens.Add(AdminToken, "admin", true)
	tokens.Add(ReaderToken, "reader", false)
	return httpapi.NewServer(log, w.Service, tokens, opts...)
}
