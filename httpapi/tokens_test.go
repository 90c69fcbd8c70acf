package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// createToken creates a token through the API as the bootstrap admin and
// returns its secret.
func (e *env) createToken(body string) string {
	e.t.Helper()
	w := e.admin("POST", "/api/tokens", body)
	must(e.t, w, http.StatusCreated, "POST /api/tokens "+body)
	if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		e.t.Errorf("POST /api/tokens: Cache-Control = %q, want no-store: the answer holds a secret", cc)
	}
	secret, _ := members(e.t, w)["secret"].(string)
	if !strings.HasPrefix(secret, "gone_") || len(secret) < 40 {
		e.t.Fatalf("POST /api/tokens: secret = %q, want gone_ and 43 characters", secret)
	}
	return secret
}

// as sends a request with token.
func (e *env) as(token, method, path, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(req{method: method, path: path, body: body, token: token})
}

// wantRefusal checks a 401 for a token and the tokenState it names.
func wantRefusal(t *testing.T, w *httptest.ResponseRecorder, state string) map[string]any {
	t.Helper()
	must(t, w, http.StatusUnauthorized, "request with a "+state+" token")
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	m := members(t, w)
	if m["tokenState"] != state {
		t.Errorf("tokenState = %v, want %q; body %s", m["tokenState"], state, w.Body.String())
	}
	return m
}

func TestTokenLifecycle(t *testing.T) {
	e := newEnv(t)
	secret := e.createToken(`{"name":"ci-deploy","scopes":["write"]}`)

	// The token works, and the audit names it.
	must(t, e.as(secret, "PUT", "/api/users/77", `{"name":"Grace"}`), http.StatusCreated, "PUT with the new token")
	evs, _ := e.store.Audit(context.Background(), gone.AuditQuery{Collection: "users", ID: "77"})
	if len(evs) != 1 || evs[0].Actor != "ci-deploy" {
		t.Errorf("audit of the PUT = %+v, want one event by ci-deploy", evs)
	}

	// The list shows it without its secret or hash.
	w := e.admin("GET", "/api/tokens", "")
	must(t, w, http.StatusOK, "GET /api/tokens")
	if strings.Contains(w.Body.String(), secret) || strings.Contains(w.Body.String(), "hash") {
		t.Errorf("GET /api/tokens shows a secret or hash: %s", w.Body.String())
	}
	var list struct{ Tokens []map[string]any }
	json.Unmarshal(w.Body.Bytes(), &list)
	if len(list.Tokens) != 1 || list.Tokens[0]["name"] != "ci-deploy" || list.Tokens[0]["state"] != "active" || list.Tokens[0]["createdBy"] != "admin" {
		t.Errorf("GET /api/tokens = %s, want ci-deploy, active, created by admin", w.Body.String())
	}

	// Revoked: refused at once, saying so.
	w = e.admin("DELETE", "/api/tokens/ci-deploy", "")
	must(t, w, http.StatusOK, "DELETE /api/tokens/ci-deploy")
	if m := members(t, w); m["state"] != "revoked" || m["revokedBy"] != "admin" {
		t.Errorf("revoke answered %s, want state revoked by admin", w.Body.String())
	}
	m := wantRefusal(t, e.as(secret, "GET", "/api/users/42", ""), "revoked")
	if m["revokedAt"] != demoNow() {
		t.Errorf("revokedAt = %v, want %s", m["revokedAt"], demoNow())
	}
	must(t, e.admin("DELETE", "/api/tokens/ci-deploy", ""), http.StatusGone, "revoking a revoked token")
	must(t, e.admin("DELETE", "/api/tokens/nobody", ""), http.StatusNotFound, "revoking an unknown token")
	must(t, e.admin("POST", "/api/tokens", `{"name":"ci-deploy","scopes":["read"]}`), http.StatusConflict, "reusing a revoked token's name")

	// Every create and revoke is audited with who.
	evs, _ = e.store.Audit(context.Background(), gone.AuditQuery{Collection: gone.TokensCollection})
	if len(evs) != 2 || evs[0].Action != gone.ActionTokenCreate || evs[1].Action != gone.ActionTokenRevoke ||
		evs[0].Actor != "admin" || evs[1].Actor != "admin" || evs[0].ID != "ci-deploy" || evs[0].Detail != "scopes=write" {
		t.Errorf("token audit = %+v, want token_create then token_revoke of ci-deploy by admin", evs)
	}

	wantRefusal(t, e.as("gone_never-issued", "GET", "/api/users/42", ""), "unknown")
}

func demoNow() string { return "2026-11-22T12:00:00Z" }

func TestTokenExpiresAtTheSecond(t *testing.T) {
	e := newEnv(t)
	secret := e.createToken(`{"name":"temp","scopes":["read"],"expiresIn":"1h"}`)
	e.clock.Add(time.Hour - time.Second)
	must(t, e.as(secret, "GET", "/api/accounts/nobody", ""), http.StatusNotFound, "a read one second before expiry")
	e.clock.Add(time.Second)
	m := wantRefusal(t, e.as(secret, "GET", "/api/accounts/nobody", ""), "expired")
	if m["expiredAt"] != "2026-11-22T13:00:00Z" {
		t.Errorf("expiredAt = %v, want 2026-11-22T13:00:00Z", m["expiredAt"])
	}
	w := e.admin("GET", "/api/tokens", "")
	if !strings.Contains(w.Body.String(), `"state":"expired"`) {
		t.Errorf("GET /api/tokens after expiry = %s, want state expired", w.Body.String())
	}
}

func TestTokenScopes(t *testing.T) {
	e := newEnv(t)
	reader := e.createToken(`{"name":"reader-1","scopes":["read"]}`)
	writer := e.createToken(`{"name":"writer-1","scopes":["write"]}`)
	users := e.createToken(`{"name":"users-admin","scopes":["admin"],"collections":["users"]}`)

	tests := []struct {
		name, token, method, path, body string
		want                            int
	}{
		{"read token reads a private collection", reader, "GET", "/api/accounts/nobody", "", 404},
		{"read token cannot write", reader, "PUT", "/api/users/9", `{"a":1}`, 403},
		{"read token cannot delete", reader, "DELETE", "/api/users/42", "", 403},
		{"read token cannot list the trash", reader, "GET", "/api/users?state=deleted", "", 403},
		{"write token writes", writer, "PUT", "/api/users/9", `{"a":1}`, 201},
		{"write token cannot see a lifecycle view", writer, "GET", "/api/users/42/lifecycle", "", 403},
		{"write token cannot read the audit", writer, "GET", "/api/audit", "", 403},
		{"write token cannot manage tokens", writer, "GET", "/api/tokens", "", 403},
		{"collection admin writes its collection", users, "PUT", "/api/users/10", `{"a":1}`, 201},
		{"collection admin sees its trash", users, "GET", "/api/users?state=deleted", "", 200},
		{"collection admin is refused another collection's write", users, "PUT", "/api/promotions/x", `{"a":1}`, 403},
		{"collection admin is refused another collection's read", users, "GET", "/api/promotions/current", "", 403},
		{"collection admin is refused another collection's list", users, "GET", "/api/promotions", "", 403},
		{"collection admin is refused the whole audit", users, "GET", "/api/audit", "", 403},
		{"collection admin cannot manage tokens", users, "POST", "/api/tokens", `{"name":"x","scopes":["read"]}`, 403},
		{"anonymous cannot manage tokens", "", "GET", "/api/tokens", "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.as(tt.token, tt.method, tt.path, tt.body)
			if w.Code != tt.want {
				t.Errorf("%s %s: status = %d, want %d; body %s", tt.method, tt.path, w.Code, tt.want, w.Body.String())
			}
		})
	}
}

// Hostile token requests answer a problem and write nothing.
func TestTokenBadInputChangesNothing(t *testing.T) {
	e := newEnv(t)
	e.createToken(`{"name":"taken","scopes":["read"]}`)
	before := e.snapshot() + e.admin("GET", "/api/tokens", "").Body.String()
	long := strings.Repeat("n", gone.MaxTokenName+1)
	tests := []struct {
		name, body string
		want       int
		field      string
	}{
		{"oversized name", `{"name":"` + long + `","scopes":["read"]}`, 400, "name"},
		{"name with a slash", `{"name":"a/b","scopes":["read"]}`, 400, "name"},
		{"empty name", `{"name":"","scopes":["read"]}`, 400, "name"},
		{"reserved name", `{"name":"admin","scopes":["read"]}`, 400, "name"},
		{"name in use", `{"name":"taken","scopes":["read"]}`, 409, ""},
		{"unknown scope", `{"name":"x","scopes":["root"]}`, 400, "scopes"},
		{"no scope", `{"name":"x","scopes":[]}`, 400, "scopes"},
		{"scopes not a list", `{"name":"x","scopes":"admin"}`, 400, ""},
		{"unknown collection", `{"name":"x","scopes":["read"],"collections":["nope"]}`, 400, "collections"},
		{"collection that is a route", `{"name":"x","scopes":["read"],"collections":["tokens"]}`, 400, "collections"},
		{"expiry in the past", `{"name":"x","scopes":["read"],"expiresAt":"2020-01-01T00:00:00Z"}`, 400, "expiresAt"},
		{"expiry not a time", `{"name":"x","scopes":["read"],"expiresAt":"tomorrow"}`, 400, "expiresAt"},
		{"both expiries", `{"name":"x","scopes":["read"],"expiresAt":"2030-01-01T00:00:00Z","expiresIn":"1d"}`, 400, "expiresIn"},
		{"negative lifetime", `{"name":"x","scopes":["read"],"expiresIn":"-1h"}`, 400, "expiresIn"},
		{"unknown member", `{"name":"x","scopes":["read"],"admin":true}`, 400, ""},
		{"JSON garbage", `{"name":"x",,`, 400, ""},
		{"not an object", `["x"]`, 400, ""},
		{"two objects", `{"name":"x","scopes":["read"]}{}`, 400, ""},
		{"oversized body", `{"name":"` + strings.Repeat("x", 70<<10) + `","scopes":["read"]}`, 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.admin("POST", "/api/tokens", tt.body)
			if w.Code != tt.want {
				t.Fatalf("status = %d, want %d; body %s", w.Code, tt.want, w.Body.String())
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q, want application/problem+json", ct)
			}
			if tt.field != "" {
				errs, _ := members(t, w)["errors"].(map[string]any)
				if _, ok := errs[tt.field]; !ok {
					t.Errorf("errors = %v, want a problem for %q", errs, tt.field)
				}
			}
		})
	}
	for _, path := range []string{"/api/tokens/" + long, "/api/tokens/%00", "/api/tokens/..%2F"} {
		if w := e.admin("DELETE", path, ""); w.Code != http.StatusNotFound || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("DELETE %s: status = %d (%s), want a 404 problem", path, w.Code, w.Header().Get("Content-Type"))
		}
	}
	if after := e.snapshot() + e.admin("GET", "/api/tokens", "").Body.String(); after != before {
		t.Errorf("refused token requests changed the store:\nbefore %s\nafter  %s", before, after)
	}
}

// watchedTokens is the store's token store, counting the lookups
// authentication makes, and failing them while down is set (a token store
// that does not answer).
type watchedTokens struct {
	gone.TokenStore
	n    atomic.Int64
	down atomic.Bool
}

func (c *watchedTokens) TokenByHash(ctx context.Context, hash []byte) (*gone.Token, error) {
	c.n.Add(1)
	if c.down.Load() {
		return nil, context.DeadlineExceeded
	}
	return c.TokenStore.TokenByHash(ctx, hash)
}

// newWatchedEnv is newEnv whose service looks its tokens up through a
// watchedTokens over the env's store.
func newWatchedEnv(t *testing.T) (*env, *watchedTokens) {
	t.Helper()
	tokens := new(watchedTokens)
	e := newEnv(t, gone.WithTokens(tokens))
	tokens.TokenStore = e.store
	return e, tokens
}

// An anonymous or bootstrap request costs no token lookup; a stored
// token's request costs exactly one.
func TestTokenLookupCost(t *testing.T) {
	e, counter := newWatchedEnv(t)
	secret := e.createToken(`{"name":"c","scopes":["read"]}`)
	for range 5 {
		must(t, e.get("/api/users/42"), 200, "anonymous GET")
		must(t, e.as(readerToken, "GET", "/api/users/42", ""), 200, "bootstrap GET")
	}
	if n := counter.n.Load(); n != 0 {
		t.Errorf("anonymous and bootstrap requests made %d token lookups, want 0", n)
	}
	for range 3 {
		must(t, e.as(secret, "GET", "/api/users/42", ""), 200, "stored-token GET")
	}
	if n := counter.n.Load(); n != 3 {
		t.Errorf("3 requests with a stored token made %d lookups, want 3", n)
	}
}

// fromAddr sends a request from a client address.
func (e *env) fromAddr(addr, token string) *httptest.ResponseRecorder {
	e.t.Helper()
	r := httptest.NewRequest("GET", "http://api.example.com/api/users/42", nil)
	r.RemoteAddr = addr
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func TestFailedAuthIsRateLimited(t *testing.T) {
	e := newEnv(t)
	const a, b, c = "198.51.100.7:4000", "203.0.113.9:5000", "[2001:db8:1:2::5]:80"
	// Someone behind a (shared) address uses a good token, then someone
	// else there starts guessing.
	must(t, e.fromAddr(a, readerToken), http.StatusOK, "a good token before the guessing")
	for i := range 10 {
		if w := e.fromAddr(a, "guess"); w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d from %s: status = %d, want 401", i+1, a, w.Code)
		}
	}
	w := e.fromAddr(a, "guess")
	must(t, w, http.StatusTooManyRequests, "the 11th failure in a minute")
	if ra := w.Header().Get("Retry-After"); ra != "6" {
		t.Errorf("Retry-After = %q, want 6 (one failure regained every 6 s at 10 a minute)", ra)
	}
	if m := members(t, w); m["type"] != "/problems/too-many-requests" {
		t.Errorf("type = %v, want /problems/too-many-requests", m["type"])
	}
	// While refused, a token never seen to succeed from there is not
	// checked, right or wrong: a guess made now must teach nothing. One
	// that did succeed from there goes on working.
	must(t, e.fromAddr(a, adminToken), http.StatusTooManyRequests, "a valid token new to a refused address")
	must(t, e.fromAddr(a, readerToken), http.StatusOK, "a token that already worked from the refused address")
	// Anonymous requests are not authentication and pass.
	must(t, e.fromAddr(a, ""), http.StatusOK, "an anonymous request from a refused address")

	// Another address is unaffected.
	must(t, e.fromAddr(b, "guess"), http.StatusUnauthorized, "a failure from another address")
	must(t, e.fromAddr(b, readerToken), http.StatusOK, "a valid token from another address")

	// Successful requests are never counted.
	for range 50 {
		must(t, e.fromAddr(c, readerToken), http.StatusOK, "successful requests")
	}
	// One IPv6 /64 is one client.
	for range 10 {
		e.fromAddr("[2001:db8:1:2::6]:80", "guess")
	}
	must(t, e.fromAddr("[2001:db8:1:2:ffff::1]:80", "guess"), http.StatusTooManyRequests, "another address of the same /64")

	// The budget comes back with time.
	e.clock.Add(6 * time.Second)
	must(t, e.fromAddr(a, "guess"), http.StatusUnauthorized, "a failure 6 s later")
	must(t, e.fromAddr(a, "guess"), http.StatusTooManyRequests, "a second failure 6 s later")
}

// When the store cannot say whether a token is good, the answer is 503 with
// Retry-After, never a 401 that would call a good token bad, and it is not
// counted as a failed authentication.
func TestTokenLookupStoreDown(t *testing.T) {
	e, tokens := newWatchedEnv(t)
	secret := e.createToken(`{"name":"c","scopes":["read"]}`)
	tokens.down.Store(true)
	for range 15 {
		w := e.as(secret, "GET", "/api/users/42", "")
		must(t, w, http.StatusServiceUnavailable, "a stored token while the store is down")
		if w.Header().Get("Retry-After") == "" {
			t.Fatal("503 without Retry-After")
		}
	}
	must(t, e.as(readerToken, "GET", "/api/users/42", ""), http.StatusOK, "a bootstrap token while the token store is down")
}

func TestOversizedSecretIsUnknownWithoutLookup(t *testing.T) {
	e, counter := newWatchedEnv(t)
	wantRefusal(t, e.as(strings.Repeat("x", 10<<10), "GET", "/api/users/42", ""), "unknown")
	if n := counter.n.Load(); n != 0 {
		t.Errorf("a 10 KiB secret made %d lookups, want 0", n)
	}
}
