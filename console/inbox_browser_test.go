package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/inbox"
	"github.com/gonehttp/gone/inbox/crawler"
	"github.com/gonehttp/gone/internal/demotest"
	"github.com/gonehttp/gone/proxy"
)

// TestBrowserInbox: behind gone proxy, the upstream's 404s reach the 404
// inbox; the console lists them most hits first and, one action each,
// turns the first into a 410 with a reason, the second into a 308 to the
// suggestion it pre-filled, and the third into an ignore pattern. Each
// entry leaves the inbox, and the proxy answers the rules at once.
func TestBrowserInbox(t *testing.T) {
	w := demotest.New(t)
	ctx := context.Background()
	up := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old-pricing", "/docs/v1/install", "/wp-login.php":
			http.NotFound(rw, r)
		default:
			io.WriteString(rw, "upstream page\n")
		}
	}))
	t.Cleanup(up.Close)
	rules, err := gonehttp.Load(ctx, w.Service, gonehttp.WithProblemBase("/_gone/problems/"))
	if err != nil {
		t.Fatal(err)
	}
	rec := inbox.NewRecorder(w.Store, inbox.Options{FlushEvery: time.Hour, IsCrawler: crawler.New().IsCrawler})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); rec.Run(rctx) }()
	t.Cleanup(func() { cancel(); <-done })
	known := proxy.NewKnown()
	target, _ := url.Parse(up.URL)
	srv := httptest.NewServer(proxy.New(proxy.Config{
		Upstream: target, Rules: rules, Known: known, Misses: rec,
		Admin: w.Handler(nil, httpapi.WithInbox(inbox.New(w.Service, w.Store, rec, known.Suggest))),
	}))
	t.Cleanup(srv.Close)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
		req.Header.Set("Referer", "https://forum.example/thread/9")
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	get("/docs/v2/install") // a 200: known, so suggested
	for path, n := range map[string]int{"/old-pricing": 5, "/docs/v1/install": 3, "/wp-login.php": 1} {
		for range n {
			if resp, _ := get(path); resp.StatusCode != 404 {
				t.Fatalf("GET %s = %d, want the upstream's 404", path, resp.StatusCode)
			}
		}
	}
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, srv.URL+"/_gone")
	b.signIn(demotest.AdminToken)
	b.waitFor("admin role", `document.querySelector('#role')?.textContent === 'admin'`)
	b.open("#/inbox")
	b.waitFor("the inbox", `document.querySelectorAll('#inbox tbody tr').length === 3`)
	rows := eval[[]string](b, `[...document.querySelectorAll('#inbox tbody tr')].map(r => r.dataset.path + ' ' + r.querySelector('.hits').textContent)`)
	if want := []string{"/old-pricing 5", "/docs/v1/install 3", "/wp-login.php 1"}; !slices.Equal(rows, want) {
		t.Errorf("inbox rows = %q, want %q (most hits first)", rows, want)
	}
	if got := eval[string](b, `document.querySelector('form[data-path="/docs/v1/install"] input[name=to]').value`); got != "/docs/v2/install" {
		t.Errorf("the redirect target is pre-filled with %q, want gone's suggestion /docs/v2/install", got)
	}
	if got := eval[string](b, `document.querySelector('form[data-path="/wp-login.php"] input[name=pattern]').value`); got != "*.php" {
		t.Errorf("the ignore pattern is pre-filled with %q, want *.php", got)
	}
	b.checkPage("inbox")
	b.shot("inbox")

	// 410 with a reason.
	b.do("410 the first entry",
		chromedp.SendKeys(chromedp.CSS(`form[data-path="/old-pricing"] input[name=reason]`), "Replaced by the 2026 plans"),
		chromedp.Click(chromedp.CSS(`form[data-path="/old-pricing"] button[type=submit]`)))
	b.waitFor("the entry leaves", `!document.querySelector('#inbox tr[data-path="/old-pricing"]') && document.querySelectorAll('#inbox tbody tr').length === 2`)
	if resp, body := get("/old-pricing"); resp.StatusCode != 410 || !strings.Contains(body, "Replaced by the 2026 plans") {
		t.Errorf("GET /old-pricing after the action = %d %s, want 410 with the reason", resp.StatusCode, body)
	}

	// 308 to the pre-filled suggestion.
	eval[bool](b, `(() => { const s = document.querySelector('form[data-path="/docs/v1/install"] select'); s.value = 'redirect'; s.dispatchEvent(new Event('change')); return true; })()`)
	b.do("308 the second entry", chromedp.Click(chromedp.CSS(`form[data-path="/docs/v1/install"] button[type=submit]`)))
	b.waitFor("the entry leaves", `document.querySelectorAll('#inbox tbody tr').length === 1`)
	if resp, _ := get("/docs/v1/install"); resp.StatusCode != 308 || resp.Header.Get("Location") != "/docs/v2/install" {
		t.Errorf("GET /docs/v1/install after the action = %d to %q, want 308 to /docs/v2/install", resp.StatusCode, resp.Header.Get("Location"))
	}

	// An ignore pattern empties the inbox, and keeps it empty.
	eval[bool](b, `(() => { const s = document.querySelector('form[data-path="/wp-login.php"] select'); s.value = 'ignore'; s.dispatchEvent(new Event('change')); return true; })()`)
	b.do("ignore the third entry", chromedp.Click(chromedp.CSS(`form[data-path="/wp-login.php"] button[type=submit]`)))
	b.waitFor("the empty inbox", `!!document.querySelector('#inbox-empty') && document.querySelector('#inbox-result').textContent.includes('*.php')`)
	get("/wp-login.php")
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := w.Store.InboxLen(ctx); n != 0 {
		t.Errorf("after the ignore the inbox holds %d entries, want 0", n)
	}
	b.checkPage("inbox after the actions")

	// The rules are audited as the admin who acted.
	for _, id := range []string{"=/old-pricing", "=/docs/v1/install"} {
		ev, err := w.Store.Audit(ctx, gone.AuditQuery{Collection: gone.RulesCollection, ID: id})
		if err != nil || len(ev) == 0 || ev[len(ev)-1].Actor != "admin" {
			t.Errorf("audit of %s = %+v, %v; want an event by admin", id, ev, err)
		}
	}
}
