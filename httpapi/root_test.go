package httpapi_test

import (
	"net/http"
	"testing"
)

// GET / points a newcomer at the API description, the docs and the
// collections instead of a bare 404.
func TestRoot(t *testing.T) {
	e := newEnv(t)
	w := e.get("/")
	must(t, w, http.StatusOK, "GET /")
	m := members(t, w)
	links, _ := m["links"].(map[string]any)
	if links["openapi"] != "/openapi.json" || links["docs"] == nil || links["admin"] != "/admin/" {
		t.Errorf("GET / links = %v; want openapi, docs and the console", links)
	}
	if colls, _ := m["collections"].([]any); len(colls) != 3 || colls[2] != "/api/users" {
		t.Errorf("GET / collections = %v", m["collections"])
	}
	// The index is "/" only: other paths are still unknown routes.
	must(t, e.get("/nope"), http.StatusNotFound, "GET /nope")
	must(t, e.do(req{method: "POST", path: "/"}), http.StatusMethodNotAllowed, "POST /")
	if w := e.do(req{method: "POST", path: "/nope"}); w.Code != http.StatusNotFound {
		t.Errorf("POST /nope: %d, want 404 (not a 405 borrowed from GET /)", w.Code)
	}
}

// An encoded slash is refused, and the suggestion is the path with real
// slashes, as the README promises.
func TestEncodedSlashSuggestsRealPath(t *testing.T) {
	e := newEnv(t)
	w := e.get("/api/users%2F42")
	must(t, w, http.StatusNotFound, "GET /api/users%2F42")
	if got := members(t, w)["suggestion"]; got != "/api/users/42" {
		t.Errorf("suggestion = %v, want /api/users/42", got)
	}
}
