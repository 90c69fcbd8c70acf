package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/internal/contract"
	"github.com/gonehttp/gone/internal/demotest"
	"github.com/gonehttp/gone/sqlite"
)

const (
	adminToken  = demotest.AdminToken
	readerToken = demotest.ReaderToken
)

// env is one real server over a real SQLite file, loaded with the demo.
type env struct {
	t     *testing.T
	h     http.Handler
	svc   *gone.Service
	store *sqlite.Store
	clock *demotest.Clock
	path  string
	world *demotest.World
	// contract, when set, checks each exchange of do on e.t: fuzz targets
	// use it, as their handler is unchecked (see newUncheckedEnv).
	contract *contract.Checker
}

func newEnv(t *testing.T, opts ...gone.Option) *env {
	t.Helper()
	n := 0
	w := demotest.New(t, append([]gone.Option{gone.WithIDs(func() string { n++; return "gen" + string(rune('0'+n)) })}, opts...)...)
	return &env{t: t, h: w.Handler(nil), svc: w.Service, store: w.Store, clock: w.Clock, path: w.Path, world: w}
}

// newUncheckedEnv is newEnv without the contract check, for benchmarks
// and fuzz targets (which run on a zero testing.T that never reports).
func newUncheckedEnv(t *testing.T) *env {
	e := newEnv(t)
	e.h = e.world.UncheckedHandler(nil)
	return e
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
	sent := hr.Clone(hr.Context())
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, hr)
	if e.contract != nil {
		x := contract.Exchange{Request: sent, RequestBody: []byte(r.body), Status: w.Code, Header: w.Result().Header, Body: w.Body.Bytes()}
		if err := e.contract.Check(x); err != nil {
			e.t.Error(err)
		}
	}
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
