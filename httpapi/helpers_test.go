package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/sqlite"
)

const (
	adminToken  = "admin-secret"
	readerToken = "reader-secret"
)

// testNow is the tests' "now": after every event of the demo world.
var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// clock is a settable clock shared by the service and the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one real server over a real SQLite file, loaded with the demo.
type env struct {
	t     *testing.T
	h     http.Handler
	svc   *gone.Service
	store *sqlite.Store
	clock *clock
	path  string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gone.db")
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := gone.NewService(store, demo.Config())
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: testNow}
	svc.Now = c.Now
	n := 0
	svc.NewID = func() string { n++; return "gen" + string(rune('0'+n)) }
	tokens := httpapi.NewTokens()
	tokens.Add(adminToken, "admin", true)
	tokens.Add(readerToken, "reader", false)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &env{t: t, h: httpapi.NewServer(log, svc, tokens), svc: svc, store: store, clock: c, path: path}
}

// req describes one request.
type req struct {
	method, path, body string
	token              string
	header             map[string]string
}

func (e *env) do(r req) *httptest.ResponseRecorder {
	e.t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequest(r.method, "http://api.example.com"+r.path, body)
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, hr)
	return w
}

// get is a public GET.
func (e *env) get(path string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(req{path: path})
}

// admin sends an admin request.
func (e *env) admin(method, path, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(req{method: method, path: path, body: body, token: adminToken})
}

// must fails the test unless w has status want.
func must(t *testing.T, w *httptest.ResponseRecorder, want int, what string) {
	t.Helper()
	if w.Code != want {
		t.Fatalf("%s: status = %d, want %d; body: %s", what, w.Code, want, w.Body.String())
	}
}

// members decodes a JSON object body.
func members(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %q", err, w.Body.String())
	}
	return m
}
