package proxy_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/proxy"
)

// siteRules are the rules of the tests' site, at demotest.Now.
func siteRules() []gone.RuleSpec {
	now := at("2026-11-22T12:00:00Z")
	spec := func(path string, prefix bool, action gone.RuleAction, edit func(*gone.RuleSpec)) gone.RuleSpec {
		s := gone.RuleSpec{RuleKey: gone.RuleKey{Path: path, Prefix: prefix}, Action: action}
		if edit != nil {
			edit(&s)
		}
		return s
	}
	return []gone.RuleSpec{
		spec("/blog/2019/", true, gone.RuleGone, func(s *gone.RuleSpec) {
			s.At, s.Reason, s.Alternative = at("2026-06-01T00:00:00Z"), "The 2019 posts were retired", "/blog/"
		}),
		spec("/blog/2019/still-here", false, gone.RuleMoved, func(s *gone.RuleSpec) { s.To = "/blog/still-here" }),
		spec("/products/old-name", false, gone.RuleMoved, func(s *gone.RuleSpec) { s.To = "/products/new-name" }),
		spec("/legacy", false, gone.RuleMoved, func(s *gone.RuleSpec) { s.To, s.Status = "https://new.example/", 301 }),
		spec("/api/reports/", true, gone.RuleUnavailable, func(s *gone.RuleSpec) { s.At = now.Add(time.Hour) }),
		spec("/drafts/x", false, gone.RuleRemoved, nil),
		spec("/promo/flash", false, gone.RuleGone, func(s *gone.RuleSpec) { s.At = now.Add(time.Hour) }),
		spec("/docs/", true, gone.RuleGone, nil),
		spec("/docs/v2/", true, gone.RuleMoved, func(s *gone.RuleSpec) { s.To = "/docs/latest/" }),
	}
}

func TestProxy(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			up := newUpstream(t)
			f := newFront(t, open(t), up, siteRules()...)
			t.Run("Answers", func(t *testing.T) { testAnswers(t, f) })
			t.Run("NoSlipping", func(t *testing.T) { testNoSlipping(t, f) })
			t.Run("PassThrough", func(t *testing.T) { testPassThrough(t, f) })
			t.Run("Admin", func(t *testing.T) { testAdmin(t, f) })
			t.Run("Time", func(t *testing.T) { testTime(t, f) })
		})
	}
}

func testAnswers(t *testing.T, f *front) {
	json := map[string]string{"Accept": "application/json"}
	for _, tc := range []struct {
		path     string
		header   map[string]string
		status   int
		location string
		body     []string // fragments
		cache    string
	}{
		{"/blog/2019/hello", json, 410, "", []string{`"error":"Gone"`, `"message":"This page was permanently removed on 2026-06-01"`,
			`"deletedAt":"2026-06-01T00:00:00Z"`, `"reason":"The 2019 posts were retired"`, `"alternative":"/blog/"`,
			`"instance":"/blog/2019/hello"`, `"type":"/_gone/problems/gone"`}, "max-age=86400"},
		{"/blog/2019/hello", nil, 410, "", []string{`"status":410`}, "max-age=86400"},
		{"/blog/2019/still-here", nil, 308, "/blog/still-here", nil, "no-cache"}, // exact beats prefix
		{"/products/old-name", nil, 308, "/products/new-name", nil, "no-cache"},
		{"/legacy", nil, 301, "https://new.example/", nil, "no-cache"},
		{"/docs/v2/intro", nil, 308, "/docs/latest/", nil, "no-cache"}, // longer prefix beats shorter
		{"/docs/v1/intro", nil, 410, "", []string{`"instance":"/docs/v1/intro"`}, "max-age=86400"},
		{"/api/reports/7?x=1", json, 503, "", []string{`"error":"Service Unavailable"`, `"retryAfter":3600`}, "no-store"},
		{"/drafts/x", json, 404, "", []string{`"error":"Not Found"`, `"message":"Nothing exists at /drafts/x"`}, "max-age=60"},
		{"/blog/2019/hello", map[string]string{"Accept": "text/html,application/xhtml+xml", "Accept-Language": "es-ES,es;q=0.9"}, 410, "",
			[]string{`<html lang="es">`, `<h1>Eliminado</h1>`, `Esta página fue eliminada permanentemente el 2026-06-01`,
				`<code>/blog/2019/hello</code>`, `<a href="/blog/">`, `datetime="2026-06-01T00:00:00Z"`}, "max-age=86400"},
		{"/blog/2019/a&b", map[string]string{"Accept": "text/html"}, 410, "", []string{`<code>/blog/2019/a&amp;b</code>`}, "max-age=86400"},
		{"/blog/2019/a&b", json, 410, "", []string{`"instance":"/blog/2019/a\u0026b"`}, "max-age=86400"},
	} {
		resp, body := raw(t, f.URL, "GET", tc.path, tc.header)
		if resp.StatusCode != tc.status {
			t.Errorf("GET %s: status = %d, want %d (%s)", tc.path, resp.StatusCode, tc.status, body)
			continue
		}
		if got := resp.Header.Get("Location"); got != tc.location {
			t.Errorf("GET %s: Location = %q, want %q", tc.path, got, tc.location)
		}
		if got := resp.Header.Get("Cache-Control"); got != tc.cache {
			t.Errorf("GET %s: Cache-Control = %q, want %q", tc.path, got, tc.cache)
		}
		for _, frag := range tc.body {
			if !strings.Contains(body, frag) {
				t.Errorf("GET %s: body lacks %s:\n%s", tc.path, frag, body)
			}
		}
		if tc.status != 301 && tc.status != 308 && !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Language") {
			t.Errorf("GET %s: Vary = %q, want Accept-Language", tc.path, resp.Header.Values("Vary"))
		}
		if cl := resp.Header.Get("Content-Length"); cl != "" && cl != itoa(len(body)) {
			t.Errorf("GET %s: Content-Length = %s, body has %d bytes", tc.path, cl, len(body))
		}
	}
	if got := f.up.take(); len(got) > 0 {
		t.Errorf("the upstream received %d requests for ruled paths, want none: %+v", len(got), got)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// testNoSlipping sends spellings of retired paths: each must answer 410 or
// 400 and never reach the upstream; a path that is not retired is
// forwarded exactly in its normalized form.
func testNoSlipping(t *testing.T, f *front) {
	for _, p := range []string{
		"/blog/2019/../2019/x", "/blog/2020/../2019/x", "/blog/%32019/x", "/blog//2019/x", "//blog/2019/x",
		"/blog/2020/%2e%2e/2019/x", "/blog/2020/%2E%2E/2019/x", "/x/../blog/2019/x", "/blog/./2019/x",
		"/%62log/2019/x", "/blog/2019/x?y=../../ok", "/../blog/2019/x",
	} {
		if resp, body := raw(t, f.URL, "GET", p, nil); resp.StatusCode != 410 {
			t.Errorf("GET %s: status = %d, want 410: %s", p, resp.StatusCode, body)
		}
	}
	for _, p := range []string{
		"/blog%2F2019/x", "/blog%2f2019%2fx", "/blog/2019%00/x", "/blog%5C2019/x", "/" + strings.Repeat("a", 5000),
	} {
		if resp, body := raw(t, f.URL, "GET", p, nil); resp.StatusCode != 400 || !strings.Contains(body, `"status":400`) {
			t.Errorf("GET %s: status = %d, want a 400 problem: %s", p, resp.StatusCode, body)
		}
	}
	// net/http itself refuses a malformed escape, before any handler.
	if resp, _ := raw(t, f.URL, "GET", "/blog/%zz", nil); resp.StatusCode != 400 {
		t.Errorf("GET /blog/%%zz: status = %d, want 400", resp.StatusCode)
	}
	if got := f.up.take(); len(got) > 0 {
		t.Fatalf("the upstream received %d requests, want none: %+v", len(got), got)
	}
	for p, want := range map[string]string{
		"/blog/2018/../2020/ok?q=a%2Fb": "/blog/2020/ok?q=a%2Fb",
		"/a//b/./c/%7Euser":             "/a/b/c/~user",
		"/caf%c3%a9":                    "/caf%C3%A9",
		"/_gone/../site":                "/site",
	} {
		resp, _ := raw(t, f.URL, "GET", p, nil)
		got := f.up.take()
		if resp.StatusCode != 200 || len(got) != 1 || got[0].URI != want {
			t.Errorf("GET %s: status %d, upstream saw %+v; want 200 and the URI %s", p, resp.StatusCode, got, want)
		}
	}
}

func testPassThrough(t *testing.T, f *front) {
	// Method, query, headers and a large body go through; X-Forwarded-* are set.
	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<19) // 8 MiB
	sum := sha256.Sum256(body)
	req, _ := http.NewRequest("PUT", f.URL+"/echo?a=1&b=2", bytes.NewReader(body))
	req.Header.Set("X-Custom", "kept")
	req.Header.Set("X-Forwarded-For", "6.6.6.6") // a client's claim is not trusted
	req.Header.Set("Authorization", "Bearer upstream-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || resp.Header.Get("X-Body-SHA") != hex.EncodeToString(sum[:]) {
		t.Errorf("PUT /echo: status %d, body sha %s; want 201 and the sent body", resp.StatusCode, resp.Header.Get("X-Body-SHA"))
	}
	got := f.up.take()
	if len(got) != 1 {
		t.Fatalf("upstream saw %d requests, want 1", len(got))
	}
	g := got[0]
	if g.Method != "PUT" || g.URI != "/echo?a=1&b=2" || g.Header.Get("X-Custom") != "kept" || g.Header.Get("Authorization") != "Bearer upstream-token" {
		t.Errorf("upstream saw %s %s %v", g.Method, g.URI, g.Header)
	}
	if xff := g.Header.Get("X-Forwarded-For"); xff != "127.0.0.1" {
		t.Errorf("X-Forwarded-For = %q, want 127.0.0.1 alone", xff)
	}
	// Without Config.PublicHosts the caller's Host is only its word: no
	// X-Forwarded-Host (see TestForwardedHeaders).
	if _, ok := g.Header["X-Forwarded-Host"]; ok || g.Header.Get("X-Forwarded-Proto") != "http" {
		t.Errorf("X-Forwarded-Host/-Proto = %q/%q, want none/http", g.Header.Get("X-Forwarded-Host"), g.Header.Get("X-Forwarded-Proto"))
	}

	// The upstream's own 404 passes unchanged.
	resp, b := raw(t, f.URL, "GET", "/missing/page", nil)
	if resp.StatusCode != 404 || !strings.Contains(b, "upstream's own 404") {
		t.Errorf("GET /missing/page: %d %q, want the upstream's 404", resp.StatusCode, b)
	}

	// Streaming: the first chunk arrives while the upstream still holds
	// the second.
	sresp, err := http.Get(f.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, 6)
	if _, err := io.ReadFull(sresp.Body, first); err != nil || string(first) != "first\n" {
		t.Errorf("stream: first chunk %q, %v", first, err)
	}
	close(f.up.gate)
	rest, _ := io.ReadAll(sresp.Body)
	sresp.Body.Close()
	if string(rest) != "second\n" {
		t.Errorf("stream: rest %q", rest)
	}
	// Slow but within the header timeout.
	resp, b = raw(t, f.URL, "GET", "/slow", nil)
	if resp.StatusCode != 200 || b != "slow but here\n" {
		t.Errorf("GET /slow: %d %q", resp.StatusCode, b)
	}
	f.up.take()
}

func testAdmin(t *testing.T, f *front) {
	post := func(token, body string) *http.Response {
		req, _ := http.NewRequest("POST", f.URL+"/_gone/rules", strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post("", `{"path":"/now-gone","action":"gone"}`); resp.StatusCode != 401 {
		t.Errorf("POST /_gone/rules without a token: %d, want 401", resp.StatusCode)
	}
	if resp, _ := raw(t, f.URL, "GET", "/now-gone", nil); resp.StatusCode != 200 {
		t.Errorf("GET /now-gone before the rule: %d, want 200", resp.StatusCode)
	}
	if resp := post(adminToken, `{"path":"/now-gone","action":"gone","reason":"Retired by the test"}`); resp.StatusCode != 201 {
		t.Errorf("POST /_gone/rules: %d, want 201", resp.StatusCode)
	}
	// In-process: answered from the very next request.
	if resp, body := raw(t, f.URL, "GET", "/now-gone", nil); resp.StatusCode != 410 || !strings.Contains(body, "Retired by the test") {
		t.Errorf("GET /now-gone after the rule: %d %s, want 410", resp.StatusCode, body)
	}
	// Permanence: a 410 path cannot go back to the upstream.
	req, _ := http.NewRequest("DELETE", f.URL+"/_gone/rules?path=/now-gone", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 409 {
		t.Errorf("DELETE a 410 rule: %d, want 409", resp.StatusCode)
	}
	// The admin prefix never reaches the upstream.
	if resp, _ := raw(t, f.URL, "GET", "/_gone/nothing", nil); resp.StatusCode != 404 {
		t.Errorf("GET /_gone/nothing: %d, want gone's 404", resp.StatusCode)
	}
	// Explain.
	req, _ = http.NewRequest("GET", f.URL+"/_gone/rules/explain?path="+url.QueryEscape("/blog/2019/../2019/x"), nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Normalized string
		Status     int
		Rule       *struct{ Key string }
	}
	json.NewDecoder(resp.Body).Decode(&ex)
	resp.Body.Close()
	if ex.Normalized != "/blog/2019/x" || ex.Status != 410 || ex.Rule == nil || ex.Rule.Key != "/blog/2019/*" {
		t.Errorf("explain: %+v", ex)
	}
	if got := f.up.take(); len(got) != 1 {
		t.Errorf("upstream saw %d requests, want only the one before the rule", len(got))
	}
}

// testTime moves the clock: an expiry answers 410 from its second, a
// maintenance ends, the trash window lapses into 410.
func testTime(t *testing.T, f *front) {
	resp, _ := raw(t, f.URL, "GET", "/promo/flash", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Sunset") == "" {
		t.Errorf("GET /promo/flash before its expiry: %d, Sunset %q; want 200 with Sunset", resp.StatusCode, resp.Header.Get("Sunset"))
	}
	f.clock.Add(time.Hour - time.Millisecond)
	if resp, _ := raw(t, f.URL, "GET", "/promo/flash", nil); resp.StatusCode != 200 {
		t.Errorf("GET /promo/flash 1ms before its expiry: %d, want 200", resp.StatusCode)
	}
	if resp, _ := raw(t, f.URL, "GET", "/api/reports/1", nil); resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("GET /api/reports/1 1ms before the end: %d Retry-After %q, want 503, 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	f.clock.Add(time.Millisecond)
	if resp, body := raw(t, f.URL, "GET", "/promo/flash", nil); resp.StatusCode != 410 || !strings.Contains(body, `"expiredAt"`) {
		t.Errorf("GET /promo/flash at its expiry: %d %s, want 410 with expiredAt", resp.StatusCode, body)
	}
	if resp, _ := raw(t, f.URL, "GET", "/api/reports/1", nil); resp.StatusCode != 200 {
		t.Errorf("GET /api/reports/1 after the maintenance: %d, want the upstream's 200", resp.StatusCode)
	}
	f.clock.Add(31 * 24 * time.Hour)
	if resp, _ := raw(t, f.URL, "GET", "/drafts/x", nil); resp.StatusCode != 410 {
		t.Errorf("GET /drafts/x after its restore window: %d, want 410", resp.StatusCode)
	}
	f.up.take()
}

func TestUpstreamDown(t *testing.T) {
	up := newUpstream(t)
	f := newFront(t, stores["sqlite"](t), up, siteRules()...)
	up.Close()
	resp, body := raw(t, f.URL, "GET", "/anything", map[string]string{"Accept": "application/json"})
	if resp.StatusCode != 502 || !strings.Contains(body, `"status":502`) || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("GET with the upstream down: %d %s %v, want a 502 problem, no-store", resp.StatusCode, body, resp.Header)
	}
	// The rules still answer.
	if resp, _ := raw(t, f.URL, "GET", "/blog/2019/x", nil); resp.StatusCode != 410 {
		t.Errorf("GET a ruled path with the upstream down: %d, want 410", resp.StatusCode)
	}
}

func TestUpstreamTimeout(t *testing.T) {
	up := newUpstream(t)
	rules := noRules(t)
	target, _ := url.Parse(up.URL)
	tr := proxy.NewTransport()
	tr.ResponseHeaderTimeout = 50 * time.Millisecond
	srv := newServer(t, proxy.New(proxy.Config{Upstream: target, Rules: rules, Transport: tr}))
	resp, body := raw(t, srv, "GET", "/slow", nil)
	if resp.StatusCode != 504 || !strings.Contains(body, `"status":504`) {
		t.Errorf("GET /slow past the timeout: %d %s, want a 504 problem", resp.StatusCode, body)
	}
}

func TestRewrite404(t *testing.T) {
	up := newUpstream(t)
	rules := noRules(t)
	target, _ := url.Parse(up.URL)
	known := proxy.NewKnown()
	n, err := known.ReadSitemap(strings.NewReader(`<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.com/pricing</loc></url>
  <url><loc>https://example.com/docs/getting-started</loc></url>
</urlset>`))
	if err != nil || n != 2 {
		t.Fatalf("ReadSitemap: %d, %v", n, err)
	}
	srv := newServer(t, proxy.New(proxy.Config{Upstream: target, Rules: rules, Known: known, Rewrite404: true}))

	// A path the upstream served 2xx becomes a suggestion.
	if resp, _ := raw(t, srv, "GET", "/about/team", nil); resp.StatusCode != 200 {
		t.Fatalf("GET /about/team: %d", resp.StatusCode)
	}
	// Too far from anything known: gone's 404, no suggestion.
	resp, body := raw(t, srv, "GET", "/missing/about/tea", map[string]string{"Accept": "application/json"})
	if resp.StatusCode != 404 || !strings.Contains(body, `"error":"Not Found"`) || resp.Header.Get("Cache-Control") != "max-age=60" || strings.Contains(body, "suggestion") {
		t.Errorf("GET /missing/about/tea: %d %s, want gone's 404 without a suggestion", resp.StatusCode, body)
	}
	if known.Suggest("/missing/pricin") != "" || known.Suggest("/pricin") != "/pricing" || known.Suggest("/about/tem") != "/about/team" {
		t.Errorf("Suggest: %q %q %q", known.Suggest("/missing/pricin"), known.Suggest("/pricin"), known.Suggest("/about/tem"))
	}
	// The upstream 404s under /missing.
	known.Add("/missing/y")
	resp, body = raw(t, srv, "GET", "/missing/x", map[string]string{"Accept-Language": "es"})
	if resp.StatusCode != 404 || !strings.Contains(body, `"suggestion":"/missing/y"`) || !strings.Contains(body, "¿Quisiste decir /missing/y?") {
		t.Errorf("GET /missing/x: %d %s, want a 404 suggesting /missing/y in Spanish", resp.StatusCode, body)
	}
	resp, body = raw(t, srv, "GET", "/missing/x", map[string]string{"Accept": "text/html"})
	if resp.StatusCode != 404 || !strings.Contains(body, `<a href="/missing/y">/missing/y</a>`) {
		t.Errorf("GET /missing/x as a browser: %d %s, want the page linking /missing/y", resp.StatusCode, body)
	}
	// A path served to one signed-in caller is not shown to everyone.
	if resp, _ := raw(t, srv, "GET", "/account/reset-AbC123", map[string]string{"Cookie": "session=1"}); resp.StatusCode != 200 {
		t.Fatalf("GET /account/reset-AbC123: %d", resp.StatusCode)
	}
	if got := known.Suggest("/account/reset-AbC12"); got != "" {
		t.Errorf("Suggest learned %q from a request with a cookie, want nothing", got)
	}
}

func TestPreserveHost(t *testing.T) {
	up := newUpstream(t)
	rules := noRules(t)
	target, _ := url.Parse(up.URL)
	for _, tc := range []struct {
		preserve     bool
		public       []string
		host         string // sent
		want, wantXF string
	}{
		{false, nil, "site.example", target.Host, ""},
		{true, nil, "site.example", "site.example", ""},
		{false, []string{"site.example"}, "site.example", target.Host, "site.example"},
		{true, []string{"site.example"}, "site.example", "site.example", "site.example"},
		// A Host that is not a public name is replaced by the first one.
		{true, []string{"www.example", "site.example"}, "evil.example", "www.example", "www.example"},
		{false, []string{"www.example", "site.example"}, "SITE.example:8080", target.Host, "SITE.example:8080"},
	} {
		srv := newServer(t, proxy.New(proxy.Config{Upstream: target, Rules: rules, PreserveHost: tc.preserve, PublicHosts: tc.public}))
		raw(t, srv, "GET", "/page", map[string]string{"Host": tc.host})
		got := up.take()
		if len(got) != 1 || got[0].Host != tc.want || got[0].Header.Get("X-Forwarded-Host") != tc.wantXF {
			t.Errorf("PreserveHost %v, PublicHosts %q, Host %s: upstream saw %+v, want Host %s and X-Forwarded-Host %q",
				tc.preserve, tc.public, tc.host, got, tc.want, tc.wantXF)
		}
	}
}
