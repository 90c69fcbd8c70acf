package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gonehttp/gone"
)

// snapshot is what must not change when a request is refused: the whole
// audit log (every write appends to it in the same transaction) and the
// bytes of a live record.
func (e *env) snapshot() string {
	e.t.Helper()
	ctx := context.Background()
	evs, err := e.store.Audit(ctx, gone.AuditQuery{Limit: 100000})
	if err != nil {
		e.t.Fatal(err)
	}
	rec, err := e.store.Get(ctx, "users", "42")
	if err != nil {
		e.t.Fatal(err)
	}
	var b strings.Builder
	for _, ev := range evs {
		b.WriteString(ev.Action + " " + ev.Collection + "/" + ev.ID + "\n")
	}
	b.WriteString(string(rec.Data) + rec.ETag())
	return b.String()
}

// Every refused write answers a problem (never 500) and changes nothing.
func TestBadInputChangesNothing(t *testing.T) {
	e := newEnv(t)
	huge := `{"a":"` + strings.Repeat("x", 1<<20) + `"}`
	long := strings.Repeat("a", 129)
	ct := func(v string) map[string]string { return map[string]string{"Content-Type": v} }
	tests := []struct {
		name   string
		r      req
		status int
	}{
		{"malformed JSON", req{method: "PUT", path: "/api/users/42", body: `{"a":`}, 400},
		{"oversized JSON", req{method: "PUT", path: "/api/users/42", body: huge}, 413},
		{"array body", req{method: "PUT", path: "/api/users/42", body: `[1,2]`}, 400},
		{"string body", req{method: "PUT", path: "/api/users/42", body: `"x"`}, 400},
		{"null body", req{method: "PUT", path: "/api/users/42", body: `null`}, 400},
		{"number body", req{method: "POST", path: "/api/users", body: `12`}, 400},
		{"two objects", req{method: "PUT", path: "/api/users/42", body: `{"a":1} {"b":2}`}, 400},
		{"duplicate member", req{method: "PUT", path: "/api/users/42", body: `{"a":1,"a":2}`}, 400},
		{"invalid UTF-8", req{method: "PUT", path: "/api/users/42", body: "{\"a\":\"\xff\xfe\"}"}, 400},
		{"not JSON media type", req{method: "PUT", path: "/api/users/42", body: `{"a":1}`, header: ct("text/plain")}, 415},
		{"unknown collection", req{method: "PUT", path: "/api/usres/42", body: `{"a":1}`}, 404},
		{"id starting with dash", req{method: "PUT", path: "/api/users/-42", body: `{"a":1}`}, 400},
		{"id too long", req{method: "PUT", path: "/api/users/" + long, body: `{"a":1}`}, 400},
		{"non-UTF-8 id", req{method: "PUT", path: "/api/users/%FF", body: `{"a":1}`}, 400},
		{"encoded slash", req{method: "PUT", path: "/api/users/a%2F42", body: `{"a":1}`}, 404},
		{"dot segments", req{method: "PUT", path: "/api/users/../users/42", body: `{"a":1}`}, 404},
		{"double slash", req{method: "PUT", path: "/api//users/42", body: `{"a":1}`}, 404},
		{"trailing slash", req{method: "PUT", path: "/api/users/42/", body: `{"a":1}`}, 404},
		{"unknown reason code", req{method: "DELETE", path: "/api/users/42?reason=user_reqest"}, 400},
		{"control character in reason", req{method: "DELETE", path: "/api/users/42?reason=a%00b"}, 400},
		{"oversized reason", req{method: "DELETE", path: "/api/users/42?reason=" + strings.Repeat("r", 501)}, 400},
		{"script alternative", req{method: "DELETE", path: "/api/users/42?alternative=javascript:alert(1)"}, 400},
		{"protocol-relative alternative", req{method: "DELETE", path: "/api/users/42?alternative=//evil.example/x"}, 400},
		{"alternative closing its Link", req{method: "DELETE", path: "/api/users/42?alternative=/x%3E%3Brel=stylesheet,%3Chttps://evil.example/x.css"}, 400},
		{"alternative with a quote", req{method: "PATCH", path: "/api/users/42/lifecycle", body: `{"alternative":"/x\"; rel=\"stylesheet"}`}, 400},
		{"rule alternative closing its Link", req{method: "POST", path: "/rules", body: `{"path":"/old","action":"gone","alternative":"/x>;rel=stylesheet,<https://evil.example/x.css"}`}, 400},
		{"bad permanent flag", req{method: "DELETE", path: "/api/users/42?permanent=yes"}, 400},
		{"bad timestamp", req{method: "PATCH", path: "/api/users/42/lifecycle", body: `{"expiresAt":"tomorrow"}`}, 400},
		{"timestamp as number", req{method: "PATCH", path: "/api/users/42/lifecycle", body: `{"expiresAt":1767225600}`}, 400},
		{"unknown lifecycle field", req{method: "PATCH", path: "/api/users/42/lifecycle", body: `{"expires":"2027-01-01T00:00:00Z"}`}, 400},
		{"empty lifecycle change", req{method: "PATCH", path: "/api/users/42/lifecycle", body: `{}`}, 400},
		{"year out of range", req{method: "PATCH", path: "/api/users/42/lifecycle", body: `{"expiresAt":"0001-01-01T00:00:00Z"}`}, 400},
		{"move to a bad id", req{method: "POST", path: "/api/users/42/move", body: `{"to":"../x"}`}, 400},
		{"move without a target", req{method: "POST", path: "/api/users/42/move", body: `{}`}, 400},
		{"move to itself", req{method: "POST", path: "/api/users/42/move", body: `{"to":"42"}`}, 400},
		{"move with extra fields", req{method: "POST", path: "/api/users/42/move", body: `{"to":"43","x":1}`}, 400},
		{"patch to a non-object", req{method: "PATCH", path: "/api/users/42", body: `[1]`}, 400},
		{"restore a live id", req{method: "POST", path: "/api/users/42/restore"}, 409},
		{"stale If-Match", req{method: "PUT", path: "/api/users/42", body: `{"a":1}`, header: map[string]string{"If-Match": `"999"`}}, 412},
		{"If-Match on a new id", req{method: "PUT", path: "/api/users/43", body: `{"a":1}`, header: map[string]string{"If-Match": `"1"`}}, 412},
		{"create over a tombstone", req{method: "PUT", path: "/api/users/123", body: `{"a":1}`}, 409},
		{"restore a tombstone", req{method: "POST", path: "/api/users/123/restore"}, 410},
		{"bad list limit", req{method: "GET", path: "/api/users?limit=abc"}, 400},
		{"list limit too large", req{method: "GET", path: "/api/users?limit=100000"}, 400},
		{"bad cursor", req{method: "GET", path: "/api/users?cursor=!!!"}, 400},
		{"bad list state", req{method: "GET", path: "/api/users?state=zombie"}, 400},
		{"bad audit page", req{method: "GET", path: "/api/audit?after=-1"}, 400},
		{"explain without path", req{method: "GET", path: "/api/explain"}, 400},
		{"explain of a route", req{method: "GET", path: "/api/explain?path=/api/users"}, 400},
	}
	before := e.snapshot()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.token = adminToken
			w := e.do(tt.r)
			if w.Code != tt.status {
				t.Errorf("%s %s: status = %d, want %d; body %s", tt.r.method, tt.r.path, w.Code, tt.status, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s %s: Content-Type = %q, want a problem", tt.r.method, tt.r.path, ct)
			}
			m := members(t, w)
			if m["status"] != float64(w.Code) || m["detail"] == "" || m["type"] == nil {
				t.Errorf("%s %s: incomplete problem %v", tt.r.method, tt.r.path, m)
			}
			if after := e.snapshot(); after != before {
				t.Errorf("%s %s changed the store:\n%s\n---\n%s", tt.r.method, tt.r.path, before, after)
			}
		})
	}
	// The same writes without a token, or with a read token, are refused
	// before anything is looked at.
	for _, tok := range []struct {
		token  string
		status int
	}{{"", http.StatusUnauthorized}, {readerToken, http.StatusForbidden}} {
		w := e.do(req{method: "DELETE", path: "/api/users/42?permanent=true", token: tok.token})
		if w.Code != tok.status {
			t.Errorf("DELETE with token %q: status = %d, want %d", tok.token, w.Code, tok.status)
		}
	}
	if after := e.snapshot(); after != before {
		t.Errorf("unauthorized writes changed the store")
	}
}

// A store that does not answer gives 503, never a guess of 404 or 410.
func TestStoreDownAnswers503(t *testing.T) {
	e := newEnv(t)
	e.store.Close()
	for _, path := range []string{"/api/users/42", "/api/users/123", "/api/users/999"} {
		w := e.get(path)
		if w.Code != http.StatusServiceUnavailable {
			t.Errorf("GET %s with the store down: status = %d, want 503", path, w.Code)
		}
		if w.Header().Get("Retry-After") == "" || w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: Retry-After %q, Cache-Control %q", path, w.Header().Get("Retry-After"), w.Header().Get("Cache-Control"))
		}
	}
	must(t, e.get("/readyz"), 503, "readyz with the store down")
	must(t, e.get("/healthz"), 200, "healthz with the store down")
}

// Every 404, 410 and 503 says how long it may be cached.
func TestHonestCaching(t *testing.T) {
	e := newEnv(t)
	must(t, e.admin("PATCH", "/api/users/42/lifecycle", `{"unavailableUntil":"2026-11-22T13:00:00Z"}`), 200, "withhold")
	for path, want := range map[string]string{
		"/api/users/999":                   "max-age=60",
		"/api/usres/1":                     "max-age=60",
		"/api/users/123":                   "max-age=86400",
		"/api/promotions/summer-sale-2025": "max-age=86400",
		"/api/users/42":                    "no-store",
	} {
		if got := e.get(path).Header().Get("Cache-Control"); got != want {
			t.Errorf("GET %s: Cache-Control = %q, want %q", path, got, want)
		}
	}
}
