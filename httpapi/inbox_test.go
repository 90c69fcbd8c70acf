package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/inbox"
	"github.com/gonehttp/gone/inbox/crawler"
)

// seedInbox stores a few inbox entries, as the recorder's flush would.
func seedInbox(t *testing.T, e *env) {
	t.Helper()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	batch := []gone.InboxEntry{
		{Path: "/old-pricing", Hits: 40, CrawlerHits: 10, FirstSeen: at, LastSeen: at.Add(time.Hour),
			Referrers: []gone.Referrer{{URL: "https://news.example/2024/launch", Hits: 30}}},
		{Path: "/docs/v1", Hits: 12, FirstSeen: at, LastSeen: at},
		{Path: "/favicon.ico", Hits: 9, CrawlerHits: 9, FirstSeen: at, LastSeen: at},
		{Path: "/wp-login.php", Hits: 5, CrawlerHits: 5, FirstSeen: at, LastSeen: at},
	}
	if _, err := e.world.Store.AddMisses(context.Background(), batch, 100); err != nil {
		t.Fatal(err)
	}
}

// newInboxEnv serves gone serve's inbox: unknown routes recorded by a
// running recorder, the admin routes over it.
func newInboxEnv(t *testing.T) (*env, *inbox.Recorder) {
	t.Helper()
	e := newEnv(t)
	rec := inbox.NewRecorder(e.world.Store, inbox.Options{FlushEvery: time.Hour, IsCrawler: crawler.New().IsCrawler})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rec.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	e.h = e.world.Handler(nil, httpapi.WithInbox(inbox.New(e.svc, e.world.Store, rec, nil)), httpapi.WithMisses(rec))
	return e, rec
}

func TestInboxServe(t *testing.T) {
	t.Parallel()
	e, rec := newInboxEnv(t)
	ctx := context.Background()
	browser := map[string]string{"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
		"Referer": "https://blog.example/post?utm_source=x"}
	for range 3 {
		if w := e.do(req{path: "/api/usres/123", header: browser}); w.Code != 404 {
			t.Fatalf("GET /api/usres/123 = %d, want 404", w.Code)
		}
	}
	e.do(req{path: "/api/usres/123", header: map[string]string{"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"}})
	e.do(req{method: "POST", path: "/nowhere", body: `{}`, token: adminToken}) // not a GET: not counted
	e.do(req{path: "/api/users/999"})                                          // a known route's unknown id: not counted
	e.do(req{path: "/wp-login.php"})
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	var list struct {
		Entries []inbox.Entry `json:"entries"`
	}
	w := e.do(req{path: "/inbox", token: adminToken})
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
		t.Fatalf("GET /inbox: %v: %s", err, w.Body)
	}
	if len(list.Entries) != 2 || list.Entries[0].Path != "/api/usres/123" || list.Entries[1].Path != "/wp-login.php" {
		t.Fatalf("GET /inbox = %s, want /api/usres/123 then /wp-login.php", w.Body)
	}
	top := list.Entries[0]
	if top.Hits != 4 || top.CrawlerHits != 1 || top.Suggestion != "/api/users/123" ||
		len(top.Referrers) != 1 || top.Referrers[0].URL != "https://blog.example/post" {
		t.Errorf("top entry = %+v; want 4 hits, 1 crawler, suggestion /api/users/123, referrer without its query", top)
	}

	// Nobody but an admin reads or changes it.
	for _, r := range []req{
		{path: "/inbox"}, {path: "/inbox", token: readerToken},
		{path: "/inbox/entry?path=/wp-login.php"},
		{method: "POST", path: "/inbox/gone", body: `{"path":"/wp-login.php"}`, token: readerToken},
		{method: "POST", path: "/inbox/ignores", body: `{"pattern":"*.php"}`},
		{method: "DELETE", path: "/inbox?path=/wp-login.php", token: readerToken},
	} {
		if w := e.do(r); w.Code != 401 && w.Code != 403 {
			t.Errorf("%s %s as %q = %d, want 401 or 403", r.method, r.path, r.token, w.Code)
		}
	}

	// Bad input changes nothing.
	for _, r := range []req{
		{method: "POST", path: "/inbox/redirect", body: `{"path":"/api/usres/123","to":"not a url"}`},
		{method: "POST", path: "/inbox/gone", body: `{"path":"/api/usres/123","reason":"x","bogus":1}`},
		{method: "POST", path: "/inbox/ignores", body: `{"pattern":"a/b"}`},
		{method: "POST", path: "/inbox/gone", body: `{"path":"/never-asked"}`},
	} {
		r.token = adminToken
		if w := e.do(r); w.Code != 400 && w.Code != 404 {
			t.Errorf("%s %s %s = %d, want 400 or 404", r.method, r.path, r.body, w.Code)
		}
	}
	if n, _ := e.world.Store.InboxLen(ctx); n != 2 {
		t.Errorf("after refused actions the inbox holds %d entries, want 2", n)
	}

	// A 308 from the entry, to the suggestion: a rule, audited, and the
	// entry leaves the inbox.
	if w := e.do(req{method: "POST", path: "/inbox/redirect", body: `{"path":"/api/usres/123","to":"/api/users/123"}`, token: adminToken}); w.Code != 200 {
		t.Fatalf("POST /inbox/redirect = %d %s, want 200", w.Code, w.Body)
	}
	if _, err := e.world.Store.InboxEntry(ctx, "/api/usres/123"); gone.ErrorCode(err) != gone.ENOTFOUND {
		t.Errorf("the redirected entry is still in the inbox: err = %v", err)
	}
	rule, err := e.svc.Rule(ctx, gone.RuleKey{Path: "/api/usres/123"})
	if err != nil || rule.MovedTo != "/api/users/123" {
		t.Errorf("rule for /api/usres/123 = %+v, %v; want moved to /api/users/123", rule, err)
	}
	ev, err := e.svc.Audit(ctx, gone.AuditQuery{Collection: gone.RulesCollection, ID: "=/api/usres/123"})
	if err != nil || len(ev) == 0 || ev[len(ev)-1].Actor != "admin" {
		t.Errorf("audit of the rule = %+v, %v; want an event by admin", ev, err)
	}

	// An ignore pattern takes its entries out, and its paths stay out.
	w = e.do(req{method: "POST", path: "/inbox/ignores", body: `{"pattern":"*.php"}`, token: adminToken})
	if w.Code != 201 || !strings.Contains(w.Body.String(), `"removed":1`) {
		t.Errorf("POST /inbox/ignores = %d %s, want 201 with removed 1", w.Code, w.Body)
	}
	e.do(req{path: "/xmlrpc.php"})
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.world.Store.InboxLen(ctx); n != 0 {
		t.Errorf("after the ignore the inbox holds %d entries, want 0", n)
	}
}

// TestInboxOff: a server without an inbox answers its routes 404.
func TestInboxOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if w := e.do(req{path: "/inbox", token: adminToken}); w.Code != 404 {
		t.Errorf("GET /inbox without an inbox = %d, want 404", w.Code)
	}
}
