package browser_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/proxy"
	"github.com/gonehttp/gone/sqlite"
)

// pageFacts is what the test reads from the rendered DOM of an answer.
type pageFacts struct {
	Lang, Title string
	H1          []string
	Mains       int
	// Outside counts the body's elements that are not in <main>.
	Outside int
	Scripts int
	// Handlers counts inline event handler attributes (onclick, …).
	Handlers int
	Main     string // <main>'s rendered text
	Times    []struct{ Datetime, Text string }
	Links    []struct {
		Href, URL, Name string
		InMain          bool
	}
}

const readFacts = `(() => {
	const all = (s) => Array.from(document.querySelectorAll(s));
	const main = document.querySelector("main");
	return {
		Lang: document.documentElement.getAttribute("lang") || "",
		Title: document.title,
		H1: all("h1").map((e) => e.textContent.trim()),
		Mains: all("main, [role=main]").length,
		Outside: all("body *").filter((e) => !e.closest("main")).length,
		Scripts: all("script").length,
		Handlers: all("*").filter((e) => Array.from(e.attributes).some((a) => a.name.startsWith("on"))).length,
		Main: main ? main.innerText : "",
		Times: all("time").map((e) => ({ Datetime: e.getAttribute("datetime") || "", Text: e.textContent.trim() })),
		Links: all("a").map((a) => ({ Href: a.getAttribute("href") || "", URL: a.href,
			Name: (a.getAttribute("aria-label") || a.textContent).trim(), InMain: !!a.closest("main") })),
	};
})()`

// TestHTMLPage loads the answers gone proxy gives a browser for retired
// paths in headless Chromium, with JavaScript disabled, in English and in
// Spanish: what the rendered page says (language, title, heading, when,
// why), that its link to the alternative works, its landmarks, and the
// status and headers the browser received, which must be the
// problem+json answer's.
func TestHTMLPage(t *testing.T) {
	exe := chromium(t)
	bg := context.Background()

	// The site behind the proxy; its pages carry a script that would
	// retitle them, so a title left alone shows scripts are off.
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>upstream %s</title><script>document.title = "scripted"</script><h1>%[1]s</h1>`, r.URL.Path)
	}))
	defer up.Close()

	store, err := sqlite.Open(bg, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := start
	svc := gone.NewService(store, demo.Config(), gone.WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now }))
	rule := func(path string, prefix bool, action gone.RuleAction, at time.Time, reason, alt string) gone.RuleSpec {
		return gone.RuleSpec{RuleKey: gone.RuleKey{Path: path, Prefix: prefix}, Action: action, At: at, Reason: reason, Alternative: alt}
	}
	admin := gone.Caller{Name: "test", Scopes: []gone.Scope{gone.ScopeAdmin}}
	if _, err := svc.SetRules(bg, admin, []gone.RuleSpec{
		rule("/blog/2019/", true, gone.RuleGone, time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC), "content_takedown", "/blog/"),
		rule("/promo/flash", false, gone.RuleGone, start.Add(time.Hour), "The flash sale ended", "/promo/"),
		rule("/api/reports/", true, gone.RuleUnavailable, start.Add(4*time.Hour), "", ""),
		rule("/drafts/x", false, gone.RuleRemoved, time.Time{}, "", ""),
	}, nil); err != nil {
		t.Fatalf("SetRules: %v", err)
	}
	rules, err := gonehttp.Load(bg, svc, gonehttp.WithProblemBase("/_gone/problems/"))
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(up.URL)
	// sent remembers the Accept-Language of the browser's last request for
	// each path, for the problem+json request that must match its answer.
	var sent sync.Map
	ph := proxy.New(proxy.Config{Upstream: target, Rules: rules})
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("Accept"), "text/html") {
			sent.Store(r.URL.Path, r.Header.Get("Accept-Language"))
		}
		ph.ServeHTTP(w, r)
	}))
	defer front.Close()
	// Two hours on: the flash sale expired an hour ago, the reports are
	// back in two hours (Retry-After capped at one).
	mu.Lock()
	now = start.Add(2 * time.Hour)
	mu.Unlock()

	ctx, closeBrowser := newTab(t, exe, 30*time.Second)
	defer closeBrowser() // before the servers close
	if _, err := chromedp.Run(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})); err != nil {
		t.Fatalf("disabling JavaScript: %v", err)
	}

	type lang struct{ code, accept string }
	// Chromium adds the q-values itself: "es-ES,es;q=0.9".
	langs := []lang{{"en", "en-US,en"}, {"es", "es-ES,es"}}
	type when struct{ datetime, text string }
	for _, tc := range []struct {
		name, path  string
		status      int
		cache       string
		h1          map[string]string // by language
		says        map[string]string // a sentence of the page, by language
		reason      map[string]string
		times       []when
		alternative string
	}{
		{"410 with reason and alternative", "/blog/2019/hello", 410, "max-age=86400",
			map[string]string{"en": "Gone", "es": "Eliminado"},
			map[string]string{"en": "permanently removed on 2026-06-01", "es": "eliminada permanentemente el 2026-06-01"},
			map[string]string{"en": "Content removed after a takedown request", "es": "Contenido retirado tras una solicitud de retirada"},
			[]when{{"2026-06-01T09:30:00Z", "2026-06-01 09:30 UTC"}}, "/blog/"},
		{"expired", "/promo/flash", 410, "max-age=86400",
			map[string]string{"en": "Gone", "es": "Eliminado"},
			map[string]string{"en": "This page has expired", "es": "Esta página ha expirado"},
			map[string]string{"en": "The flash sale ended", "es": "The flash sale ended"},
			[]when{{"2026-11-22T13:00:00Z", "2026-11-22 13:00 UTC"}}, "/promo/"},
		{"503 until a time", "/api/reports/q3", 503, "no-store",
			map[string]string{"en": "Service Unavailable", "es": "Servicio no disponible"},
			map[string]string{"en": "temporarily unavailable", "es": "temporalmente"},
			nil, []when{{"2026-11-22T16:00:00Z", "2026-11-22 16:00 UTC"}}, ""},
		{"404 soft-removed", "/drafts/x", 404, "max-age=60",
			map[string]string{"en": "Not Found", "es": "No encontrado"},
			map[string]string{"en": "Nothing exists at /drafts/x", "es": "No existe nada en /drafts/x"},
			nil, nil, ""},
	} {
		for _, l := range langs {
			t.Run(tc.name+"/"+l.code, func(t *testing.T) {
				if _, err := chromedp.Run(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: "gone-test", AcceptLanguage: l.accept})
					return err
				})); err != nil {
					t.Fatalf("setting Accept-Language: %v", err)
				}
				nctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				resp, err := chromedp.Run(nctx, chromedp.NavigateResponse(front.URL+tc.path))
				if err != nil {
					t.Fatalf("loading %s: %v", tc.path, err)
				}
				accept, _ := sent.Load(tc.path)
				if accept != l.accept+";q=0.9" {
					t.Errorf("the browser sent Accept-Language %q, want %q", accept, l.accept+";q=0.9")
				}
				checkHeaders(t, front.URL+tc.path, accept.(string), l.code, resp, tc.status, tc.cache)

				raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](readFacts))
				if err != nil {
					t.Fatalf("reading the page: %v", err)
				}
				var f pageFacts
				if err := json.Unmarshal(raw, &f); err != nil {
					t.Fatalf("page facts %s: %v", raw, err)
				}
				if f.Lang != l.code {
					t.Errorf(`<html lang> = %q, want %q`, f.Lang, l.code)
				}
				h1 := tc.h1[l.code]
				if len(f.H1) != 1 || f.H1[0] != h1 {
					t.Errorf("<h1> = %q, want exactly one: %q", f.H1, h1)
				}
				if want := fmt.Sprintf("%d %s", tc.status, h1); f.Title != want {
					t.Errorf("<title> = %q, want %q", f.Title, want)
				}
				if !strings.Contains(f.Main, tc.says[l.code]) {
					t.Errorf("the page does not say %q:\n%s", tc.says[l.code], f.Main)
				}
				if r := tc.reason[l.code]; r != "" && !strings.Contains(f.Main, r) {
					t.Errorf("the page does not give the reason %q:\n%s", r, f.Main)
				}
				if tc.status == 404 && (len(f.Times) > 0 || strings.Contains(f.Main, "2026")) {
					t.Errorf("the soft-removed 404 tells when (%+v):\n%s", f.Times, f.Main)
				}
				if len(f.Times) != len(tc.times) {
					t.Errorf("<time> elements = %+v, want %+v", f.Times, tc.times)
				} else {
					for i, w := range tc.times {
						if f.Times[i].Datetime != w.datetime || f.Times[i].Text != w.text || !strings.Contains(f.Main, w.text) {
							t.Errorf("<time> %d = %+v, want datetime %q showing %q", i, f.Times[i], w.datetime, w.text)
						}
					}
				}
				if f.Scripts != 0 || f.Handlers != 0 {
					t.Errorf("the page has %d <script> and %d inline handlers, want none", f.Scripts, f.Handlers)
				}
				// Landmarks: everything a reader needs is in one <main>.
				if f.Mains != 1 || f.Outside != 0 {
					t.Errorf("%d main landmarks and %d elements outside <main>, want one holding everything", f.Mains, f.Outside)
				}
				var alt string
				for _, a := range f.Links {
					if a.Name == "" || !a.InMain {
						t.Errorf("link %+v: want text and a place in <main>", a)
					}
					if a.Href == tc.alternative {
						alt = a.URL
					}
				}
				if tc.alternative == "" {
					return
				}
				if alt != front.URL+tc.alternative {
					t.Fatalf("no link to the alternative %s among %+v", tc.alternative, f.Links)
				}
				// Follow it as a reader would: a click, and the browser
				// lands on the alternative, served by the upstream.
				cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				resp, err = chromedp.RunResponse(cctx, chromedp.Click(fmt.Sprintf(`a[href=%q]`, tc.alternative)))
				if err != nil {
					t.Fatalf("following the alternative: %v", err)
				}
				loc, err := chromedp.Run(ctx, chromedp.Location())
				if err != nil {
					t.Fatal(err)
				}
				title, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.title"))
				if err != nil {
					t.Fatal(err)
				}
				if resp.Status != 200 || loc != alt || title != "upstream "+tc.alternative {
					t.Errorf("after the click: status %d at %s titled %q, want 200 at %s titled %q (scripts off)",
						resp.Status, loc, title, alt, "upstream "+tc.alternative)
				}
			})
		}
	}
}

// checkHeaders compares what the browser received for the document with
// the problem+json answer to the same request, and with the status and
// Cache-Control the rule must give.
func checkHeaders(t *testing.T, u, accept, code string, resp *network.Response, status int, cache string) {
	t.Helper()
	hdr := func(name string) string {
		for k, v := range resp.Headers {
			if strings.EqualFold(k, name) {
				s, _ := v.(string)
				return s
			}
		}
		return ""
	}
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Accept-Language", accept)
	jresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, jresp.Body)
	jresp.Body.Close()

	if int(resp.Status) != status || jresp.StatusCode != status {
		t.Errorf("status: browser got %d, problem+json %d, want %d", resp.Status, jresp.StatusCode, status)
	}
	if got := hdr("Cache-Control"); got != cache || jresp.Header.Get("Cache-Control") != cache {
		t.Errorf("Cache-Control: browser got %q, problem+json %q, want %q", got, jresp.Header.Get("Cache-Control"), cache)
	}
	if got := hdr("Retry-After"); got != jresp.Header.Get("Retry-After") || (status == 503) != (got != "") {
		t.Errorf("Retry-After: browser got %q, problem+json %q", got, jresp.Header.Get("Retry-After"))
	}
	if resp.MimeType != "text/html" || hdr("Content-Language") != code {
		t.Errorf("browser got %s in %q, want text/html in %q", resp.MimeType, hdr("Content-Language"), code)
	}
	// DevTools joins a header's repeated lines with "\n".
	vary := map[string]bool{}
	for _, v := range strings.FieldsFunc(hdr("Vary"), func(r rune) bool { return r == ',' || r == '\n' }) {
		vary[strings.TrimSpace(v)] = true
	}
	if !vary["Accept"] || !vary["Accept-Language"] {
		t.Errorf("Vary = %q, want Accept and Accept-Language", hdr("Vary"))
	}
}
