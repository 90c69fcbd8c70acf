package proxy_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/console"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/demotest"
	"github.com/gonehttp/gone/proxy"
	"github.com/gonehttp/gone/sqlite"
)

const pageOrigin = "https://app.example.com"

// corsFront is a proxy over SQLite whose config allows one page origin,
// with a rule retiring /old, in front of up.
func corsFront(t *testing.T, up string) string {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cors := answer.CORSPolicy{Origins: []string{pageOrigin}, MaxAge: time.Minute}
	svc := gone.NewService(store, demo.Config(), gone.WithClock(func() time.Time { return demotest.Now }))
	spec := gone.RuleSpec{RuleKey: gone.RuleKey{Path: "/old"}, Action: gone.RuleGone,
		At: at("2026-06-01T00:00:00Z"), Reason: "Retired", Alternative: "/new"}
	if _, err := svc.SetRules(ctx, gone.Caller{Name: "test", Scopes: []gone.Scope{gone.ScopeAdmin}}, []gone.RuleSpec{spec}, nil); err != nil {
		t.Fatal(err)
	}
	rules, err := gonehttp.Load(ctx, svc, gonehttp.WithProblemBase("/_gone/problems/"), gonehttp.WithCORS(cors))
	if err != nil {
		t.Fatal(err)
	}
	tokens := httpapi.NewTokens()
	tokens.Add(adminToken, "admin", true)
	log := slog.New(slog.DiscardHandler)
	target, _ := url.Parse(up)
	tr := proxy.NewTransport()
	tr.ResponseHeaderTimeout = 2 * time.Second
	return newServer(t, proxy.New(proxy.Config{
		Upstream: target, Rules: rules, Admin: httpapi.NewServer(log, svc, tokens, httpapi.WithCORS(cors)), Transport: tr, Log: log,
	}))
}

func send(t *testing.T, method, u string, hdr ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func varies(resp *http.Response, v string) bool {
	for _, line := range resp.Header.Values("Vary") {
		for _, f := range strings.Split(line, ",") {
			if strings.EqualFold(strings.TrimSpace(f), v) {
				return true
			}
		}
	}
	return false
}

// TestProxyCORS: the answers the proxy makes itself (a rule's 410, its
// preflight, the admin API, a 502) follow the config's CORS policy; the
// upstream's answers pass with the upstream's own CORS headers, or none.
func TestProxyCORS(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/own-cors" {
			w.Header().Set("Access-Control-Allow-Origin", "https://other.example")
		}
		io.WriteString(w, "upstream\n")
	}))
	defer up.Close()
	base := corsFront(t, up.URL)

	// A rule's 410, read by the listed page: allowed, exposed, Vary: Origin.
	resp := send(t, "GET", base+"/old", "Origin", pageOrigin)
	if resp.StatusCode != http.StatusGone || resp.Header.Get("Access-Control-Allow-Origin") != pageOrigin ||
		!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Link") || !varies(resp, "Origin") || !varies(resp, "Accept") {
		t.Errorf("GET /old from the page: %d %v", resp.StatusCode, resp.Header)
	}
	// Twice, so the prebuilt answer's shared headers are not grown by the first.
	resp = send(t, "GET", base+"/old", "Origin", "https://evil.example")
	if resp.StatusCode != http.StatusGone || resp.Header.Get("Access-Control-Allow-Origin") != "" || !varies(resp, "Origin") {
		t.Errorf("GET /old from another origin: %d %v", resp.StatusCode, resp.Header)
	}
	if v := strings.Join(resp.Header.Values("Vary"), ","); strings.Count(v, "Origin") != 1 {
		t.Errorf("Vary %q: want Origin once", v)
	}

	// The preflight of a request with a token to the retired path.
	pre := func(path, origin, method string) *http.Response {
		return send(t, "OPTIONS", base+path, "Origin", origin, "Access-Control-Request-Method", method,
			"Access-Control-Request-Headers", "authorization")
	}
	resp = pre("/old", pageOrigin, "DELETE")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != pageOrigin ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "DELETE") ||
		resp.Header.Get("Access-Control-Allow-Headers") != "authorization" || resp.Header.Get("Access-Control-Max-Age") != "60" {
		t.Errorf("preflight /old from the page: %d %v", resp.StatusCode, resp.Header)
	}
	resp = pre("/old", "https://evil.example", "GET")
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" ||
		resp.Header.Get("Content-Type") != "application/problem+json" || !varies(resp, "Origin") {
		t.Errorf("preflight /old from another origin: %d %v", resp.StatusCode, resp.Header)
	}

	// The admin API below the prefix: the same policy (httpapi's own).
	resp = pre("/_gone/rules", pageOrigin, "POST")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != pageOrigin {
		t.Errorf("preflight /_gone/rules: %d %v", resp.StatusCode, resp.Header)
	}
	resp = send(t, "GET", base+"/_gone/rules", "Origin", pageOrigin, "Authorization", "Bearer "+adminToken)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != pageOrigin || !varies(resp, "Origin") {
		t.Errorf("GET /_gone/rules: %d %v", resp.StatusCode, resp.Header)
	}
	resp = pre("/_gone/rules", "https://evil.example", "GET")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("preflight /_gone/rules from another origin: %d", resp.StatusCode)
	}

	// The upstream's answers: its own CORS headers, and none added.
	resp = send(t, "GET", base+"/page", "Origin", pageOrigin)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "" || varies(resp, "Origin") {
		t.Errorf("GET /page (upstream): %d %v", resp.StatusCode, resp.Header)
	}
	resp = send(t, "GET", base+"/own-cors", "Origin", pageOrigin)
	if got := resp.Header.Values("Access-Control-Allow-Origin"); !slices.Equal(got, []string{"https://other.example"}) {
		t.Errorf("GET /own-cors (upstream): ACAO %q, want the upstream's own only", got)
	}

	// The upstream down: the proxy's 502 is readable by the page (its Retry-After).
	up.Close()
	resp = send(t, "GET", base+"/page", "Origin", pageOrigin)
	if resp.StatusCode != http.StatusBadGateway || resp.Header.Get("Access-Control-Allow-Origin") != pageOrigin ||
		!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Retry-After") {
		t.Errorf("GET /page, upstream down: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestProxyConsole: the admin console is served below the admin prefix,
// with its security headers, and its API calls (relative to the console's
// parent) land on the proxy's API, never on the upstream.
func TestProxyConsole(t *testing.T) {
	up := newUpstream(t)
	base := corsFront(t, up.URL)
	for _, name := range []string{"", "index.html", "api.js", "app.js", "style.css"} {
		resp := send(t, "GET", base+"/_gone/admin/"+name)
		h := resp.Header
		if resp.StatusCode != http.StatusOK || h.Get("Content-Security-Policy") != console.ContentSecurityPolicy ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("ETag") == "" {
			t.Errorf("GET /_gone/admin/%s: %d %v", name, resp.StatusCode, h)
		}
	}
	// api.js resolves "../" from the page: /_gone/admin/ → /_gone/api/…
	u, _ := url.Parse(base + "/_gone/admin/")
	api := u.ResolveReference(&url.URL{Path: "../"}).ResolveReference(&url.URL{Path: "api/audit"})
	resp := send(t, "GET", api.String(), "Authorization", "Bearer "+adminToken)
	if resp.StatusCode != http.StatusOK || api.Path != "/_gone/api/audit" {
		t.Errorf("GET %s: %d", api.Path, resp.StatusCode)
	}
	if got := up.take(); len(got) != 0 {
		t.Errorf("the upstream saw %d requests of the console", len(got))
	}
	// Without its slash, the console's root redirects within the prefix.
	if resp := send(t, "GET", base+"/_gone/admin?x=1"); resp.StatusCode/100 != 3 ||
		resp.Header.Get("Location") != "/_gone/admin/?x=1" {
		t.Errorf("GET /_gone/admin: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := send(t, "GET", base+"/_gone/admin/nope.js"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /_gone/admin/nope.js: %d", resp.StatusCode)
	}
}
