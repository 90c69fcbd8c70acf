package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// TestContractReachesEveryOperation sends the metrics sweep, a HEAD beside
// each of its GETs, and the answers only an admin gets (the trash and
// tombstone listings, lifecycle views, 304, 308) through the checked
// handler: each exchange is validated against /openapi.json, and an
// operation of the document that no request reaches fails the test. A
// new route therefore comes with a request in sweep (metrics_test.go) or
// here, and the contract test covers it.
func TestContractReachesEveryOperation(t *testing.T) {
	e, _ := newMetricsEnv(t)
	c := e.world.Contract()
	reqs := slices.Clone(sweep)
	reqs = append(reqs,
		req{method: "DELETE", path: "/api/users/new1", token: adminToken}, // into the trash again
		req{path: "/api/users?state=deleted", token: adminToken},
		req{path: "/api/users?state=gone&limit=1", token: adminToken},
		req{path: "/api/users/new1/lifecycle", token: adminToken},
		req{path: "/api/users/123/lifecycle", token: adminToken},
		req{path: "/api/users/new1", token: adminToken}, // the trash at the resource URL: 404
		req{path: "/api/users/42"},                      // moved by the sweep: 308
		req{path: "/api/users/43", header: map[string]string{"If-None-Match": `"1"`}},
		req{path: "/metrics"},
		req{path: "/api"},
		req{path: "/"},
		req{method: "POST", path: "/api/users/_batch", token: adminToken, body: `{"id":"b1","data":{}}` + "\n" + `{"id":"123","data":{}}`,
			header: map[string]string{"Content-Type": "application/x-ndjson"}},
		req{path: "/admin"},
		req{path: "/admin/"},
		req{path: "/admin/app.js"},
		req{path: "/admin/style.css"},
		req{path: "/admin/nothing.js"},
		// Named tokens: create (and a refused create), list, revoke, and
		// revoke again (410); an unknown token's 401.
		req{method: "POST", path: "/api/tokens", body: `{"name":"swept","scopes":["read"],"collections":["users"]}`, token: adminToken},
		req{method: "POST", path: "/api/tokens", body: `{"name":"swept","scopes":["root"]}`, token: adminToken},
		req{path: "/api/tokens", token: adminToken},
		req{method: "DELETE", path: "/api/tokens/swept", token: adminToken},
		req{method: "DELETE", path: "/api/tokens/swept", token: adminToken},
		req{path: "/api/users/42", token: "gone_unknown"},
		// The change feed's JSON page.
		req{path: "/api/changes?since=now", token: readerToken},
		// The rules API: created, unchanged, refused, 409, 404, list, explain, import.
		req{method: "POST", path: "/rules", body: `{"path":"/blog/2019/*","action":"gone","reason":"Retired"}`, token: adminToken},
		req{method: "POST", path: "/rules", body: `{"path":"/blog/2019/*","action":"gone","reason":"Retired"}`, token: adminToken},
		req{method: "POST", path: "/rules", body: `{"path":"/old","action":"moved","to":"/new","status":301}`, token: adminToken},
		req{method: "POST", path: "/rules", body: `{"path":"/a%2Fb","action":"gone"}`, token: adminToken},
		req{method: "DELETE", path: "/rules?path=/blog/2019/*", token: adminToken},
		req{method: "DELETE", path: "/rules?path=/old", token: adminToken},
		req{method: "DELETE", path: "/rules?path=/never", token: adminToken},
		req{path: "/rules", token: adminToken},
		req{path: "/rules/explain?path=/blog/2019/../2019/x", token: adminToken},
		req{path: "/rules/explain?path=/elsewhere", token: adminToken},
		req{path: "/rules/explain?path=/a%252Fb", token: adminToken},
		req{method: "POST", path: "/rules/import", body: `{"rules":[{"path":"/x","action":"gone","line":2},{"path":"/y/*","action":"removed","line":3}]}`, token: adminToken},
		// A dry run with a chain, a rule it would refuse and a reason kept
		// as text; a strict import refused; a bad flag.
		req{method: "POST", path: "/rules/import?dryRun=true&flatten=true", body: `{"rules":[{"path":"/m1","action":"moved","to":"/m2","line":1},{"path":"/m2","action":"moved","to":"/x","line":2},{"path":"/x","action":"moved","to":"/z","line":3},{"path":"/p","action":"gone","reason":"promotion_ended","line":4}]}`, token: adminToken},
		req{method: "POST", path: "/rules/import?reasonCodes=strict", body: `{"rules":[{"path":"/p","action":"gone","reason":"promotion_ended"}]}`, token: adminToken},
		req{method: "POST", path: "/rules/import?dryRun=maybe", body: `{"rules":[]}`, token: adminToken},
		// Exports: a text, a CSV, a JSON and an XML format; a format that
		// needs a host without one; an unknown format.
		req{path: "/rules/export?format=nginx", token: adminToken},
		req{path: "/rules/export?format=csv", token: adminToken},
		req{path: "/rules/export?format=vercel", token: adminToken},
		req{path: "/rules/export?format=iis", token: adminToken},
		req{path: "/rules/export?format=cloudflare&host=example.com", token: adminToken},
		req{path: "/rules/export?format=cloudflare", token: adminToken},
		req{path: "/rules/export?format=word", token: adminToken},
		// Pages of the rules (next, then the last page; "PS94" is the
		// cursor after "=/x"), and a bad limit and cursor.
		req{path: "/rules?limit=1", token: adminToken},
		req{path: "/rules?limit=1&cursor=PS94", token: adminToken},
		req{path: "/rules?limit=0", token: adminToken},
		req{path: "/rules?cursor=!!!", token: adminToken},
		// Webhooks: create (and a taken name, a bad body), list, one,
		// pause, resume, delete, and delete again (404).
		req{method: "POST", path: "/webhooks", body: `{"name":"site","url":"https://example.com/hooks","types":["gone"]}`, token: adminToken},
		req{method: "POST", path: "/webhooks", body: `{"name":"site","url":"https://example.com/hooks"}`, token: adminToken},
		req{method: "POST", path: "/webhooks", body: `{"name":"cache","kind":"nginx","url":"ftp://x"}`, token: adminToken},
		req{path: "/webhooks", token: adminToken},
		req{path: "/webhooks/site", token: adminToken},
		req{method: "PATCH", path: "/webhooks/site", body: `{"paused":true}`, token: adminToken},
		req{method: "PATCH", path: "/webhooks/site", body: `{"paused":false,"pathPrefix":"/api/users/"}`, token: adminToken},
		req{method: "DELETE", path: "/webhooks/site", token: adminToken},
		req{method: "DELETE", path: "/webhooks/site", token: adminToken},
		// Sitemaps: live (one file, a page, a page past the end), removed.
		req{path: "/sitemap.xml"},
		req{path: "/sitemap.xml?page=1"},
		req{path: "/sitemap.xml?page=9"},
		req{path: "/sitemap-removed.xml"},
		// The 404 inbox (seeded below): pages, one entry, a 410 and a
		// 308 from entries (and refusals), ignore patterns, dismissal.
		req{path: "/inbox?limit=1", token: adminToken},
		req{path: "/inbox?limit=1&cursor=MQ", token: adminToken},
		req{path: "/inbox?cursor=!!!", token: adminToken},
		req{path: "/inbox", token: readerToken},
		req{path: "/inbox/entry?path=/old-pricing", token: adminToken},
		req{path: "/inbox/entry?path=/never", token: adminToken},
		req{method: "POST", path: "/inbox/gone", body: `{"path":"/old-pricing","reason":"Retired with the 2025 plans"}`, token: adminToken},
		req{method: "POST", path: "/inbox/gone", body: `{"path":"/old-pricing"}`, token: adminToken},
		req{method: "POST", path: "/inbox/gone", body: `{"path":"/docs/v1","to":"/x"}`, token: adminToken},
		req{method: "POST", path: "/inbox/redirect", body: `{"path":"/docs/v1","to":"/docs/v2"}`, token: adminToken},
		req{method: "POST", path: "/inbox/redirect", body: `{"path":"/docs/v1"}`, token: adminToken},
		req{method: "POST", path: "/inbox/ignores", body: `{"pattern":"*.php"}`, token: adminToken},
		req{method: "POST", path: "/inbox/ignores", body: `{"pattern":"*.php"}`, token: adminToken},
		req{method: "POST", path: "/inbox/ignores", body: `{"pattern":"wp/*"}`, token: adminToken},
		req{path: "/inbox/ignores", token: adminToken},
		req{method: "DELETE", path: "/inbox/ignores?pattern=*.php", token: adminToken},
		req{method: "DELETE", path: "/inbox/ignores?pattern=*.php", token: adminToken},
		req{method: "DELETE", path: "/inbox?path=/favicon.ico", token: adminToken},
		req{method: "DELETE", path: "/inbox?path=/favicon.ico", token: adminToken},
	)
	// OPTIONS on every route's path: a plain one (204 with Allow), and a
	// preflight this server, with no CORS origin configured, refuses (403).
	for _, p := range []string{"/", "/api", "/api/users", "/api/users/_batch", "/api/users/43", "/api/users/43/restore", "/api/users/43/move",
		"/api/users/43/lifecycle", "/api/audit", "/api/changes", "/api/explain", "/api/tokens", "/api/tokens/x",
		"/problems/gone", "/healthz", "/readyz", "/openapi.json", "/admin/", "/admin/app.js", "/metrics",
		"/rules", "/rules/import", "/rules/export", "/rules/explain", "/webhooks", "/webhooks/x", "/sitemap.xml", "/sitemap-removed.xml",
		"/inbox", "/inbox/entry", "/inbox/gone", "/inbox/redirect", "/inbox/ignores"} {
		reqs = append(reqs, req{method: "OPTIONS", path: p})
	}
	reqs = append(reqs, req{method: "OPTIONS", path: "/api/users/43",
		header: map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"}})
	for _, r := range slices.Clone(reqs) {
		if r.method == "" || r.method == http.MethodGet {
			r.method = http.MethodHead
			reqs = append(reqs, r)
		}
	}
	seedInbox(t, e)
	seen := map[string]bool{}
	for _, r := range reqs {
		e.do(r)
		method := r.method
		if method == "" {
			method = http.MethodGet
		}
		if op := c.Operation(httptest.NewRequest(method, r.path, nil)); op != "" {
			seen[op] = true
		}
	}
	for _, op := range c.Operations() {
		if !seen[op] {
			t.Errorf("no request reaches %s of openapi.json: add one to sweep (metrics_test.go) or to this test", op)
		}
	}
}
