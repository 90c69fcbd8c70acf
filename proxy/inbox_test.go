package proxy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/inbox"
	"github.com/gonehttp/gone/inbox/crawler"
	"github.com/gonehttp/gone/proxy"
)

// TestInbox runs the 404 inbox through the proxy, end to end over real
// HTTP, SQLite and PostgreSQL: the upstream's 404s are recorded (passed
// on, or rewritten), nothing else is; the admin API under the proxy lists
// them with the known path nearest as the suggestion, to anyone but an
// admin it is closed, and one call turns an entry into a 410 that the
// proxy answers at once.
func TestInbox(t *testing.T) {
	for name, newStore := range stores {
		for _, rewrite := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/rewrite404=%v", name, rewrite), func(t *testing.T) {
				testInbox(t, newStore(t), rewrite)
			})
		}
	}
}

func testInbox(t *testing.T, store gone.Store, rewrite bool) {
	ctx := context.Background()
	svc := gone.NewService(store, demo.Config())
	if _, _, err := svc.SetRule(ctx, gone.Caller{Name: "test", Scopes: []gone.Scope{gone.ScopeAdmin}},
		gone.RuleSpec{RuleKey: gone.RuleKey{Path: "/missing/retired"}, Action: gone.RuleGone}); err != nil {
		t.Fatal(err)
	}
	rules, err := gonehttp.Load(ctx, svc, gonehttp.WithProblemBase("/_gone/problems/"))
	if err != nil {
		t.Fatal(err)
	}
	is := store.(gone.InboxStore)
	rec := inbox.NewRecorder(is, inbox.Options{FlushEvery: time.Hour, IsCrawler: crawler.New().IsCrawler})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); rec.Run(rctx) }()
	t.Cleanup(func() { cancel(); <-done })

	known := proxy.NewKnown()
	known.Add("/mission")
	tokens := httpapi.NewTokens()
	tokens.Add(adminToken, "admin", true)
	log := slog.New(slog.DiscardHandler)
	up := newUpstream(t)
	target, _ := url.Parse(up.URL)
	srv := newServer(t, proxy.New(proxy.Config{
		Upstream: target, Rules: rules, Log: log, Known: known, Rewrite404: rewrite, Misses: rec,
		Admin: httpapi.NewServer(log, svc, tokens, httpapi.WithInbox(inbox.New(svc, is, rec, known.Suggest))),
	}))

	browser := map[string]string{"User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
		"Referer": "https://news.example/story?id=7"}
	for _, r := range []struct {
		method, path string
		header       map[string]string
		want         int
	}{
		{"GET", "/missing", browser, 404},
		{"GET", "/missing", browser, 404},
		{"HEAD", "/missing", nil, 404},
		{"GET", "/%6Dissing", map[string]string{"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"}, 404}, // the same path, normalized
		{"POST", "/missing", nil, 404},        // not a GET: not counted
		{"GET", "/missing/retired", nil, 410}, // a rule answers: not counted
		{"GET", "/page", nil, 200},            // the upstream serves it
		{"GET", "/_gone/nothing", nil, 404},   // gone's own API: not the site's
	} {
		if resp, _ := raw(t, srv, r.method, r.path, r.header); resp.StatusCode != r.want {
			t.Fatalf("%s %s = %d, want %d", r.method, r.path, resp.StatusCode, r.want)
		}
	}
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	admin := map[string]string{"Authorization": "Bearer " + adminToken}
	resp, body := raw(t, srv, "GET", "/_gone/inbox", admin)
	var list struct {
		Entries []inbox.Entry `json:"entries"`
	}
	if err := json.Unmarshal([]byte(body), &list); resp.StatusCode != 200 || err != nil {
		t.Fatalf("GET /_gone/inbox = %d %s", resp.StatusCode, body)
	}
	if len(list.Entries) != 1 {
		t.Fatalf("inbox = %s, want one entry, /missing", body)
	}
	e := list.Entries[0]
	if e.Path != "/missing" || e.Hits != 4 || e.CrawlerHits != 2 || e.Suggestion != "/mission" ||
		len(e.Referrers) != 1 || e.Referrers[0] != (gone.Referrer{URL: "https://news.example/story", Hits: 2}) {
		t.Errorf("entry = %+v; want /missing, 4 hits, 2 by crawlers (no User-Agent, Googlebot), suggestion /mission, 2 from https://news.example/story", e)
	}

	// Closed to anyone without the admin token: the inbox is no oracle.
	for _, h := range []map[string]string{nil, {"Authorization": "Bearer wrong"}} {
		if resp, body := raw(t, srv, "GET", "/_gone/inbox", h); resp.StatusCode != 401 || strings.Contains(body, "/missing") {
			t.Errorf("GET /_gone/inbox with %v = %d %s, want 401 saying nothing of the entries", h, resp.StatusCode, body)
		}
	}

	// One call: a 410 with a reason, the entry leaves the inbox.
	req, _ := http.NewRequest("POST", srv+"/_gone/inbox/gone", strings.NewReader(`{"path":"/missing","reason":"Retired in 2026"}`))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("POST /_gone/inbox/gone = %d, want 200", res.StatusCode)
	}
	if resp, body := raw(t, srv, "GET", "/missing", map[string]string{"Accept": "application/json"}); resp.StatusCode != 410 || !strings.Contains(body, "Retired in 2026") {
		t.Errorf("GET /missing after the action = %d %s, want the rule's 410 with its reason", resp.StatusCode, body)
	}
	if n, err := is.InboxLen(ctx); n != 0 || err != nil {
		t.Errorf("inbox holds %d entries (%v) after the action, want 0", n, err)
	}
}
