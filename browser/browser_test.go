package browser_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/demotest"
)

// counter counts the requests that reach the API, by method and path, and
// runs a hook after each answer.
type counter struct {
	next  http.Handler
	mu    sync.Mutex
	seen  map[string]int
	after func(r *http.Request, status int)
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.seen[r.Method+" "+r.URL.Path]++
	c.mu.Unlock()
	sw := &statusWriter{ResponseWriter: w}
	c.next.ServeHTTP(sw, r)
	if c.after != nil {
		c.after(r, sw.status)
	}
}

func (c *counter) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen[key]
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>gone in a browser</title></head>
<body>
<script type="module">
import * as gone from "/js/index.js";
window.gone = gone;
window.ready = true;
</script>
</body></html>`

// TestBrowser runs clients/js in headless Chromium, on a page whose origin
// differs from the API's, against a real gone server: the 404 branch, the
// 410 branch (cache purged, no second request), a 503 with Retry-After,
// and a change from the feed that purges the page's cache.
func TestBrowser(t *testing.T) {
	exe := chromium(t)

	// The page's origin: the page and the client's module.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	})
	mux.Handle("GET /js/", http.StripPrefix("/js/", http.FileServer(http.Dir(filepath.Join("..", "clients", "js")))))
	site := httptest.NewServer(mux)
	defer site.Close()

	// The API's origin: the demo world, CORS allowing the page's origin.
	world := demotest.New(t)
	stop := make(chan struct{})
	api := &counter{seen: map[string]int{}, next: world.Handler(nil, httpapi.WithCORS(answer.CORSPolicy{Origins: []string{site.URL}}),
		httpapi.WithFeed(httpapi.FeedSettings{Poll: 20 * time.Millisecond}), httpapi.WithShutdown(stop))}
	// The 503 lasts until the first one is served: then the world's clock
	// passes the window, and the retry that Retry-After asked for succeeds.
	var once sync.Once
	api.after = func(r *http.Request, status int) {
		if status == http.StatusServiceUnavailable && r.URL.Path == "/api/promotions/brief" {
			once.Do(func() { world.Clock.Add(2 * time.Second) })
		}
	}
	srv := httptest.NewServer(api)
	defer srv.Close()
	defer close(stop) // ends the page's change stream before srv.Close waits for it

	ctx, closeBrowser := newTab(t, exe, 30*time.Second)
	defer closeBrowser() // before the servers close: the page holds connections to them

	if _, err := chromedp.Run(ctx, chromedp.Navigate(site.URL+"/")); err != nil {
		t.Fatalf("loading the page: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void]("window.ready === true", chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("loading the client module: %v", err)
	}
	// eval runs an async function body on the page with API and READER in
	// scope, and decodes what it returns.
	eval := func(body string, out any) {
		t.Helper()
		expr := fmt.Sprintf(`(async () => { const API = %q, READER = %q; const { GoneClient, localStorageCache, NotFoundError, GoneError, UnavailableError } = window.gone; %s })()`,
			srv.URL, demotest.ReaderToken, body)
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("page: %v\n%s", err, body)
		}
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("page returned %s: %v", raw, err)
		}
	}
	type outcome struct {
		Name, Message, Reason string
		Status                int
		Local, Cached         bool
		RetryAfter            int
		Body                  map[string]any
	}
	// A helper on the page: one get, its outcome, and whether the id is
	// in localStorage afterwards.
	eval(`window.outcome = async (c, coll, id) => {
		const o = {};
		try { o.Body = await c.get(coll, id); o.Name = "ok"; }
		catch (e) { Object.assign(o, { Name: e.name, Message: e.message, Status: e.status, Reason: e.reason, Local: !!e.local, RetryAfter: e.retryAfter }); }
		o.Cached = localStorage.getItem("users:" + coll + "/" + id) !== null;
		return o;
	}; return true;`, new(bool))

	t.Run("404", func(t *testing.T) {
		var o outcome
		eval(`const c = new GoneClient({ baseUrl: API, token: READER, cache: localStorageCache("users:") });
			return await outcome(c, "users", "999");`, &o)
		if o.Name != "NotFoundError" || o.Status != 404 || o.Message != "User with ID 999 does not exist" {
			t.Errorf("get users/999 = %+v, want NotFoundError with the server's message", o)
		}
		if n := api.count("GET /api/users/999"); n != 1 {
			t.Errorf("GET /api/users/999 reached the server %d times, want 1 (a 404 is not retried)", n)
		}
		if api.count("OPTIONS /api/users/999") == 0 {
			t.Error("no preflight: the page's request was not cross-origin with a token")
		}
	})

	t.Run("410", func(t *testing.T) {
		var o [2]outcome
		eval(`localStorage.setItem("users:users/123", JSON.stringify({ etag: '"1"', body: { id: "123", name: "Alex Doe" } }));
			const c = new GoneClient({ baseUrl: API, token: READER, cache: localStorageCache("users:"), lang: "es" });
			return [await outcome(c, "users", "123"), await outcome(c, "users", "123")];`, &o)
		if o[0].Name != "GoneError" || o[0].Status != 410 || o[0].Local ||
			o[0].Message != "Esta cuenta de usuario fue eliminada permanentemente el 2026-01-05" ||
			o[0].Reason != "El usuario solicitó la eliminación de la cuenta" {
			t.Errorf("first get users/123 = %+v, want the server's GoneError in Spanish", o[0])
		}
		if o[0].Cached {
			t.Error("users/123 still in localStorage after the 410")
		}
		if o[1].Name != "GoneError" || !o[1].Local {
			t.Errorf("second get users/123 = %+v, want a GoneError from memory", o[1])
		}
		if n := api.count("GET /api/users/123"); n != 1 {
			t.Errorf("GET /api/users/123 reached the server %d times, want 1", n)
		}
	})

	t.Run("503 with Retry-After", func(t *testing.T) {
		admin := gone.Caller{Name: "admin", Scopes: []gone.Scope{gone.ScopeAdmin}}
		bg := context.Background()
		for id, until := range map[string]time.Duration{"brief": time.Second, "frozen": 50 * 365 * 24 * time.Hour} {
			if _, _, err := world.Service.Put(bg, admin, "promotions", id, []byte(`{"name":"`+id+`"}`), gone.Preconditions{}); err != nil {
				t.Fatal(err)
			}
			ch := gone.LifecycleChange{UnavailableUntil: gone.Optional[time.Time]{Set: true, Value: world.Clock.Now().Add(until)}}
			if _, err := world.Service.SetLifecycle(bg, admin, "promotions", id, ch, gone.Preconditions{}); err != nil {
				t.Fatal(err)
			}
		}
		var o [2]outcome
		eval(`const c = new GoneClient({ baseUrl: API, token: READER });
			return [await outcome(c, "promotions", "brief"), await outcome(c, "promotions", "frozen")];`, &o)
		if o[0].Name != "ok" || o[0].Body["name"] != "brief" {
			t.Errorf("get promotions/brief = %+v, want the representation after waiting Retry-After", o[0])
		}
		if n := api.count("GET /api/promotions/brief"); n != 2 {
			t.Errorf("GET /api/promotions/brief reached the server %d times, want 2 (503, then 200)", n)
		}
		// Withheld for 50 years: the server caps Retry-After (1 h by
		// default), still past the client's 60 s cap.
		if o[1].Name != "UnavailableError" || o[1].Status != 503 || o[1].RetryAfter <= 60 {
			t.Errorf("get promotions/frozen = %+v, want UnavailableError with a Retry-After past the client's cap", o[1])
		}
		if n := api.count("GET /api/promotions/frozen"); n != 1 {
			t.Errorf("GET /api/promotions/frozen reached the server %d times, want 1: a Retry-After past the cap is not waited or retried", n)
		}
	})

	t.Run("the change feed purges the page's cache", func(t *testing.T) {
		events, err := world.Store.Audit(context.Background(), gone.AuditQuery{})
		if err != nil {
			t.Fatal(err)
		}
		head := events[len(events)-1].Seq
		var o outcome
		eval(fmt.Sprintf(`window.c = new GoneClient({ baseUrl: API, token: READER, cache: localStorageCache("users:") });
			window.changes = [];
			window.w = c.watch({ since: %d, onChange: (ch) => changes.push(ch) });
			return await outcome(c, "users", "42");`, head), &o)
		if o.Name != "ok" || !o.Cached {
			t.Fatalf("get users/42 = %+v, want it read and cached", o)
		}
		if _, err := world.Service.Delete(context.Background(), gone.Caller{Name: "admin", Scopes: []gone.Scope{gone.ScopeAdmin}}, "users", "42",
			gone.DeleteOptions{Permanent: true, Reason: "user_request"}, gone.Preconditions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`window.changes.some((c) => c.type === "gone" && c.id === "42")`,
			chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("the page never heard of the delete: %v", err)
		}
		gets := api.count("GET /api/users/42")
		eval(`const o = await outcome(c, "users", "42"); w.close(); return o;`, &o)
		if o.Name != "GoneError" || !o.Local || o.Cached || !strings.Contains(o.Message, "permanently deleted") {
			t.Errorf("get users/42 after the feed said gone = %+v, want a GoneError from memory and no cached copy", o)
		}
		if n := api.count("GET /api/users/42"); n != gets {
			t.Errorf("GET /api/users/42 reached the server again (%d, then %d)", gets, n)
		}
	})
}
