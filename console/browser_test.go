package console_test

// The console in a real headless Chromium, driven with chromedp, against a
// real server over the demo world. Run it alone with
//
//	go test ./console -run TestBrowser -v
//
// It skips when no Chromium is installed (set GONE_CHROMIUM to its path;
// the default is /usr/bin/chromium), and fails instead where one is
// required (GONE_TEST_CHROMIUM_REQUIRED=1 or CI=true; .ci/run installs it). Screenshots of the main views go to a
// temp dir whose path the test prints, or to GONE_CONSOLE_SHOTS.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/internal/demotest"
)

// browser is one Chromium tab on the console of a real server.
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
	mu    sync.Mutex
	// errors are uncaught exceptions and console errors from the page.
	errors []string
}

func chromiumPath(t *testing.T) string {
	p := os.Getenv("GONE_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		if lp, err := exec.LookPath("chromium"); err == nil {
			return lp
		}
		msg := "no Chromium at " + p + " (set GONE_CHROMIUM, or apt-get install chromium): the console's browser test needs one"
		if os.Getenv("GONE_TEST_CHROMIUM_REQUIRED") == "1" || os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA() })

	shots := os.Getenv("GONE_CONSOLE_SHOTS")
	if shots == "" {
		var err error
		if shots, err = os.MkdirTemp("", "gone-console-shots-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("console screenshots: %s", shots)
	b := &browser{t: t, ctx: ctx, base: base, shots: shots}

	// The first action starts the browser: it must run on ctx itself, not
	// on a context with a deadline, or the browser would end with it.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	console := chromedp.Events(ctx, runtime.ConsoleAPICalled)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.mu.Lock()
			b.errors = append(b.errors, msg)
			b.mu.Unlock()
		}
	}()
	go func() {
		for ev, err := range console {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				b.mu.Lock()
				b.errors = append(b.errors, "console.error")
				b.mu.Unlock()
			}
		}
	}()
	// Any Content-Security-Policy violation is recorded by the page
	// itself, from before its first script.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		window.__csp = [];
		document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
	`}); err != nil {
		t.Fatalf("add the CSP recorder: %v", err)
	}
	return b
}

// do runs actions with a deadline, failing the test on error.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// open shows a console route and waits until its view is drawn: the app
// marks <body data-rendered> with the route it finished drawing, and
// clears the mark when it starts, so no check can pass on the previous
// view. Within the console only the fragment changes, as for a user who
// follows a link; elsewhere (or for the route on screen) it loads the page.
func (b *browser) open(route string) {
	b.t.Helper()
	q := strconv.Quote(route)
	moved := eval[bool](b, `(() => {
		if (!location.pathname.endsWith('/admin/') || location.hash === `+q+` || !document.body.hasAttribute('data-rendered')) return false;
		document.body.removeAttribute('data-rendered');
		location.hash = `+q+`;
		return true; })()`)
	if !moved {
		b.do("load "+route, chromedp.Navigate("about:blank"), chromedp.Navigate(b.base+"/admin/"+route))
	}
	want := route
	if want == "" {
		want = "#/"
	}
	b.waitFor("drawn "+route, `document.body.getAttribute('data-rendered') === `+strconv.Quote(want))
}

// waitFor polls a JavaScript condition until it is true.
func (b *browser) waitFor(what, cond string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil || !ok {
		body, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("body")))
		b.t.Fatalf("%s: %s never held (%v); the page says: %s", what, cond, err, body)
	}
}

// text is the text of the first element matching the CSS selector sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// eval evaluates js in the page and decodes its value as T.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("eval %s: %v", js, err)
	}
	return v
}

// shot saves a screenshot of the viewport as name.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// submit submits the form with this id as a user does (requestSubmit runs
// its submit handler; chromedp.Submit calls form.submit(), which skips it).
func submit(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.getElementById(` + strconv.Quote(id) + `).requestSubmit()`)
}

// shotOf saves a screenshot of the element sel as name.png, at three
// quarters of its size (these are the ones small enough for the docs).
func (b *browser) shotOf(name, sel string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.ScreenshotScale(chromedp.CSS(sel), 0.75))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// signIn signs in with token from the sign-in form.
func (b *browser) signIn(token string) {
	b.t.Helper()
	b.open("#/")
	b.do("sign in", chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Click(chromedp.CSS("#signin button[type=submit]")))
}

func (b *browser) signOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.ID("signout")), chromedp.WaitVisible(chromedp.ID("token")))
}

// contrastCheck lists visible text whose colour against its background is
// below WCAG 2 AA: 4.5:1, or 3:1 for large text (24px, or 18.66px bold).
// The background is the nearest opaque one up the tree; disabled controls
// are exempt, as WCAG says; SVG text is drawn with fill and not checked.
const contrastCheck = `(() => {
	const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
	const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
	const bg = el => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a >= 1) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
	const out = [];
	for (const el of document.querySelectorAll('body *')) {
		if (el.closest('svg') || el.closest(':disabled') || !el.checkVisibility()) continue;
		if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0 || r.right < 0) continue;
		const cs = getComputedStyle(el);
		const fg = parse(cs.color), back = bg(el);
		const l1 = lum(fg), l2 = lum(back);
		const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
		const size = parseFloat(cs.fontSize), bold = Number(cs.fontWeight) >= 700;
		const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
		if (ratio < need) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + el.className + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
	}
	return out;
})()`

// checkPage fails on script errors, CSP violations, unlabelled fields,
// text with too little contrast and elements wider than the screen.
func (b *browser) checkPage(what string) {
	b.t.Helper()
	b.mu.Lock()
	errs := b.errors
	b.errors = nil
	b.mu.Unlock()
	if len(errs) > 0 {
		b.t.Errorf("%s: the page reported errors: %q", what, errs)
	}
	csp := eval[[]string](b, `window.__csp || []`)
	if len(csp) > 0 {
		b.t.Errorf("%s: Content-Security-Policy violations: %q", what, csp)
	}
	unlabelled := eval[[]string](b, `[...document.querySelectorAll('input, select')].filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.id || e.name)`)
	if len(unlabelled) > 0 {
		b.t.Errorf("%s: fields without a label: %q", what, unlabelled)
	}
	if low := eval[[]string](b, contrastCheck); len(low) > 0 {
		b.t.Errorf("%s: text below the WCAG AA contrast ratio: %q", what, low)
	}
	overflow := eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth + 1`)
	if overflow {
		b.t.Errorf("%s: the page is wider than the window", what)
	}
}

func TestBrowser(t *testing.T) {
	w := demotest.New(t)
	srv := httptest.NewServer(w.Handler(nil))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	admin := gone.Caller{Name: "admin", Scopes: []gone.Scope{gone.ScopeAdmin}}
	for _, r := range []struct{ coll, id, data string }{
		{"users", "7", `{"name":"Grace Hopper"}`},
		{"promotions", "flash", `{"discount":50}`},
		{"users", "xss", `{"name":"<script>window.__pwned=1</script>","bio":"<img src=x onerror=\"window.__pwned=2\">"}`},
	} {
		if _, _, err := w.Service.Put(ctx, admin, r.coll, r.id, json.RawMessage(r.data), gone.Preconditions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Service.Delete(ctx, admin, "users", "xss", gone.DeleteOptions{Reason: `<img src=x onerror="window.__pwned=3"> spam`}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	publicGet := func(path string) *http.Response {
		t.Helper()
		resp, err := noFollow.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	b := newBrowser(t, srv.URL)
	// The steps build on each other (sign in, then act): after a failed
	// step the rest would only fail for the same reason, so they stop.
	failed := false
	step := func(name string, fn func(t *testing.T)) {
		if failed {
			return
		}
		failed = !t.Run(name, func(t *testing.T) { b.t = t; fn(t) })
	}

	step("WrongToken", func(t *testing.T) {
		b.signIn("not-a-token")
		b.waitFor("the server's message", `document.querySelector('#signin-result [role=alert]')?.textContent.includes('The token is not valid.')`)
		kept := eval[string](b, `sessionStorage.getItem('gone.token') || ''`)
		if kept != "" {
			t.Errorf("a refused token was kept in sessionStorage: %q", kept)
		}
		b.checkPage("sign-in")
		b.shot("signin-wrong-token")
	})

	step("ReadToken", func(t *testing.T) {
		b.signIn(demotest.ReaderToken)
		b.waitFor("read-only role", `document.querySelector('#role')?.textContent === 'read-only'`)
		b.open("#/c/users")
		b.waitFor("the live list", `!!document.querySelector('#items tr[data-id="42"]')`)
		disabled := eval[int](b, `document.querySelectorAll('.tabs .disabled').length`)
		if disabled != 5 {
			t.Errorf("a read token sees %d disabled state filters, want 5 (all but live)", disabled)
		}
		b.open("#/r/users/42")
		b.waitFor("the representation", `document.querySelector('#representation')?.textContent.includes('Ada Lovelace')`)
		actions := eval[int](b, `document.querySelectorAll('#actions, form.action').length`)
		if actions != 0 {
			t.Errorf("a read token sees %d action forms, want none", actions)
		}
		b.checkPage("read-only resource")
		b.signOut()
	})

	step("SignIn", func(t *testing.T) {
		b.signIn(demotest.AdminToken)
		b.waitFor("admin role", `document.querySelector('#role')?.textContent === 'admin'`)
		b.open("#/c/users")
		b.waitFor("the live list", `!!document.querySelector('#items tr[data-id="42"]')`)
		where := eval[struct{ Session, Local, URL string }](b, `({Session: sessionStorage.getItem('gone.token') || '', Local: JSON.stringify(localStorage), URL: location.href})`)
		if where.Session != demotest.AdminToken {
			t.Errorf("sessionStorage token = %q, want the admin token", where.Session)
		}
		if strings.Contains(where.Local, demotest.AdminToken) || strings.Contains(where.URL, demotest.AdminToken) {
			t.Errorf("the token leaked: localStorage %s, URL %s", where.Local, where.URL)
		}
		b.checkPage("collections")
		b.shot("collections")
	})

	step("Paging", func(t *testing.T) {
		b.open("#/c/users?limit=1")
		b.waitFor("page one", `document.querySelectorAll('#items tbody tr').length === 1 && !!document.querySelector('#items tr[data-id="42"]') && !!document.querySelector('#next')`)
		b.do("next page", chromedp.Click(chromedp.ID("next")))
		b.waitFor("page two", `document.querySelectorAll('#items tbody tr').length === 1 && !!document.querySelector('#items tr[data-id="7"]') && !!document.querySelector('#first')`)
	})

	step("WhyUser123Is410", func(t *testing.T) {
		b.do("open id 123", chromedp.SendKeys(chromedp.ID("open-id"), "123"), submit("open"))
		b.waitFor("the lifecycle", `document.querySelector('#facts [data-field=reason]')?.textContent.includes('User requested account deletion')`)
		if got := b.text("h1 .badge"); got != "gone" {
			t.Errorf("state badge = %q, want gone", got)
		}
		if got := b.text(`#facts [data-field=deletedAt] time`); !strings.Contains(got, "2026") {
			t.Errorf("deletedAt = %q, want the 2026-01-05 deletion", got)
		}
		b.waitFor("the history", `document.querySelector('#timeline')?.textContent.includes('deleted permanently')`)
		b.checkPage("resource 123")
		b.shot("resource-gone")
		b.do("explain it", chromedp.Click(chromedp.ID("explain-link")))
		b.waitFor("the public's 410", `document.querySelector('#verdict-public .status')?.textContent.includes('HTTP 410')`)
		b.waitFor("the lit 410 branch", `document.querySelector('#flowchart [data-node=a410]')?.classList.contains('lit')`)
		if body := b.text("#verdict-public pre.body"); !strings.Contains(body, "This user account was permanently deleted on 2026-01-05") {
			t.Errorf("public body = %q, want the seeds' 410 message", body)
		}
		b.checkPage("explain 123")
		b.shot("explain-410")
		b.shotOf("explain-410-whole", "#explanation")
	})

	step("SoftDeleteAndRestore", func(t *testing.T) {
		b.open("#/r/users/42")
		b.waitFor("the soft delete form", `!!document.querySelector('#act-softDelete')`)
		b.do("soft delete", chromedp.SetValue(chromedp.ID("soft-reason"), "user_request"), submit("act-softDelete"))
		b.waitFor("the trash state", `document.querySelector('h1 .badge')?.textContent === 'in the trash'`)
		b.waitFor("the countdown", `/left$/.test(document.querySelector('#facts [data-field=restorableUntil] .countdown')?.textContent || '')`)
		if got := publicGet("/api/users/42").StatusCode; got != 404 {
			t.Errorf("public GET of trashed 42 = %d, want 404", got)
		}
		b.open("#/c/users?filter=deleted")
		b.waitFor("42 in the trash list", `!!document.querySelector('#items tr[data-id="42"] .countdown')`)
		b.checkPage("trash")
		b.shot("trash")
		b.shotOf("trash-main", "main")
		b.open("#/r/users/42")
		b.do("restore", chromedp.WaitVisible(chromedp.ID("act-restore")), submit("act-restore"))
		b.waitFor("live again", `document.querySelector('h1 .badge')?.textContent === 'live'`)
		if got := publicGet("/api/users/42").StatusCode; got != 200 {
			t.Errorf("public GET of restored 42 = %d, want 200", got)
		}
	})

	step("PermanentDelete", func(t *testing.T) {
		b.open("#/r/users/7")
		b.waitFor("the delete form", `!!document.querySelector('#act-permanentDelete')`)
		b.do("ask to delete",
			chromedp.SetValue(chromedp.ID("perm-reason"), "__other"),
			chromedp.SendKeys(chromedp.ID("perm-reason-text"), "Duplicate account"),
			chromedp.SendKeys(chromedp.ID("perm-alternative"), "/api/users/42"),
			submit("act-permanentDelete"),
			chromedp.WaitVisible(chromedp.ID("confirm")))
		text := b.text("#confirm")
		for _, want := range []string{"Delete 7 permanently?", "cannot be undone", "the id 7 can never be used again"} {
			if !strings.Contains(text, want) {
				t.Errorf("confirmation = %q, want it to say %q", text, want)
			}
		}
		disabled := eval[bool](b, `document.querySelector('#confirm-ok').disabled`)
		if !disabled {
			t.Error("the confirm button is enabled before the id is typed")
		}
		b.shot("confirm-permanent-delete")
		// Escape cancels: nothing is deleted.
		b.do("escape", chromedp.KeyEvent(kb.Escape))
		b.waitFor("the dialog gone", `!document.querySelector('#confirm')`)
		if got := publicGet("/api/users/7").StatusCode; got != 200 {
			t.Fatalf("public GET of 7 after a cancelled delete = %d, want 200", got)
		}
		// Then by keyboard alone: type the id, press Enter.
		b.do("ask again", submit("act-permanentDelete"), chromedp.WaitVisible(chromedp.ID("confirm")))
		b.do("confirm", chromedp.SendKeys(chromedp.ID("confirm-id"), "7"), chromedp.KeyEvent(kb.Enter))
		b.waitFor("gone", `document.querySelector('h1 .badge')?.textContent === 'gone'`)
		b.waitFor("erased", `!!document.querySelector('#erased')`)
		if got := publicGet("/api/users/7").StatusCode; got != 410 {
			t.Errorf("public GET of deleted 7 = %d, want 410", got)
		}
		b.open("#/c/users?filter=gone")
		b.waitFor("the tombstone", `document.querySelector('#items tr[data-id="7"]')?.textContent.includes('Duplicate account')`)
		if row := b.text(`#items tr[data-id="7"]`); !strings.Contains(row, "/api/users/42") {
			t.Errorf("tombstone row = %q, want the alternative /api/users/42", row)
		}
		b.checkPage("gone list")
		b.shot("gone")
	})

	step("ScheduleExpiry", func(t *testing.T) {
		b.open("#/r/promotions/flash")
		b.waitFor("the expiry form", `!!document.querySelector('#act-expire')`)
		// Two days after the server's clock, in the browser's local time.
		local := eval[string](b, `(() => { const d = new Date('`+demotest.Now.Add(48*time.Hour).Format(time.RFC3339)+`'); const p = n => String(n).padStart(2, '0');
			return d.getFullYear() + '-' + p(d.getMonth()+1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()); })()`)
		b.do("schedule", chromedp.SetValue(chromedp.ID("expire-at"), local),
			chromedp.SendKeys(chromedp.ID("expire-alternative"), "/api/promotions/current"),
			submit("act-expire"))
		b.waitFor("the expiry", `!!document.querySelector('#facts [data-field=expiresAt] time')`)
		resp := publicGet("/api/promotions/flash")
		if want := demotest.Now.Add(48 * time.Hour).Format(http.TimeFormat); resp.Header.Get("Sunset") != want {
			t.Errorf("Sunset = %q, want %q", resp.Header.Get("Sunset"), want)
		}
		b.open("#/c/promotions?filter=expiring")
		b.waitFor("flash expiring soon", `!!document.querySelector('#items tr[data-id="flash"] .countdown')`)
		b.checkPage("expiring soon")
	})

	step("MoveUnavailableDeprecate", func(t *testing.T) {
		b.open("#/r/promotions/flash")
		// A refused action shows the server's own problem.
		b.do("move onto a live id", chromedp.WaitVisible(chromedp.ID("act-move")),
			chromedp.SendKeys(chromedp.ID("move-to"), "winter-sale-2026"), submit("act-move"))
		b.waitFor("the server's 409", `/409/.test(document.querySelector('#act-move [role=alert]')?.textContent || '')`)
		if msg := b.text("#act-move [role=alert]"); !strings.Contains(msg, "winter-sale-2026") {
			t.Errorf("move refusal = %q, want the server's message naming the id", msg)
		}
		b.do("move", chromedp.SetValue(chromedp.ID("move-to"), "flash-2027"), submit("act-move"))
		b.waitFor("the new id", `document.querySelector('#rid')?.textContent === 'flash-2027' && !!document.querySelector('#act-unavailable')`)
		if got := publicGet("/api/promotions/flash"); got.StatusCode != 308 || got.Header.Get("Location") != "/api/promotions/flash-2027" {
			t.Errorf("public GET of the old id = %d Location %q, want 308 to /api/promotions/flash-2027", got.StatusCode, got.Header.Get("Location"))
		}
		local := eval[string](b, `(() => { const d = new Date('`+demotest.Now.Add(time.Hour).Format(time.RFC3339)+`'); const p = n => String(n).padStart(2, '0');
			return d.getFullYear() + '-' + p(d.getMonth()+1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()); })()`)
		b.do("mark unavailable", chromedp.SetValue(chromedp.ID("unavailable-until"), local), submit("act-unavailable"))
		b.waitFor("unavailable", `document.querySelector('h1 .badge')?.textContent === 'unavailable'`)
		b.do("deprecate", submit("act-deprecate"))
		b.waitFor("deprecated", `!!document.querySelector('#facts [data-field=deprecatedAt] time')`)
		if got := publicGet("/api/promotions/flash-2027").StatusCode; got != 503 {
			t.Errorf("public GET of the unavailable id = %d, want 503", got)
		}
		b.open("#/c/promotions?filter=moved")
		b.waitFor("the moved list", `document.querySelector('#items tr[data-id="flash"]')?.textContent.includes('/api/promotions/flash-2027')`)
		b.open("#/c/promotions?filter=unavailable")
		b.waitFor("the unavailable list", `!!document.querySelector('#items tr[data-id="flash-2027"] .countdown')`)
		b.checkPage("unavailable list")
	})

	step("ExplainWrongURL", func(t *testing.T) {
		b.open("#/explain")
		b.do("explain", chromedp.SendKeys(chromedp.ID("explain-path"), "/api/usres/123"), submit("explain-form"))
		b.waitFor("the suggestion", `document.querySelector('#steps')?.textContent.includes('did you mean /api/users/123?')`)
		b.waitFor("the lit route branch", `document.querySelector('#flowchart [data-node=a404route]')?.classList.contains('lit') && document.querySelector('#flowchart [data-edge=route-a404route]')?.classList.contains('lit')`)
		if body := b.text("#verdict-public pre.body"); !strings.Contains(body, "Did you mean /api/users/123?") {
			t.Errorf("public body = %q, want the seeds' suggestion", body)
		}
		lit := eval[int](b, `document.querySelectorAll('#flowchart .node.lit').length`)
		if lit != 3 { // start, route, the 404
			t.Errorf("%d lit nodes, want 3 (start, route, 404)", lit)
		}
		b.checkPage("explain usres")
		b.shot("explain-wrong-url")
	})

	step("XSSIsInert", func(t *testing.T) {
		b.open("#/r/users/xss")
		b.waitFor("the payload as text", `document.querySelector('#representation')?.textContent.includes('<script>window.__pwned=1</script>')`)
		b.waitFor("the reason as text", `document.querySelector('#facts [data-field=reason]')?.textContent.includes('<img src=x onerror=')`)
		b.open("#/c/users?filter=deleted")
		b.waitFor("the trash row", `document.querySelector('#items tr[data-id="xss"]')?.textContent.includes('<img src=x')`)
		b.open("#/audit?id=xss")
		b.waitFor("the audit row", `document.querySelector('#audit')?.textContent.includes('<img src=x')`)
		res := eval[struct {
			Pwned bool
			Tags  int
		}](b, `({Pwned: 'window.__pwned' in window || window.__pwned !== undefined, Tags: document.querySelectorAll('main img, main script, main [onerror]').length})`)
		if res.Pwned || res.Tags != 0 {
			t.Errorf("user data became markup: __pwned set = %v, img/script/onerror elements in main = %d", res.Pwned, res.Tags)
		}
		b.checkPage("xss")
	})

	step("Audit", func(t *testing.T) {
		b.open("#/audit")
		b.do("filter", chromedp.WaitVisible(chromedp.ID("audit-filter")),
			chromedp.SetValue(chromedp.ID("f-collection"), "users"),
			chromedp.SetValue(chromedp.ID("f-action"), "restore"),
			chromedp.SendKeys(chromedp.ID("f-actor"), "admin"),
			submit("audit-filter"))
		b.waitFor("one restore", `document.querySelectorAll('#audit tbody tr').length === 1 && document.querySelector('#audit tbody').textContent.includes('users/42')`)
		// Newest first, one event a page: users/42 was restored after it
		// was moved to the trash.
		b.open("#/audit?collection=users&id=42&limit=1")
		b.waitFor("the newest event", `document.querySelectorAll('#audit tbody tr').length === 1 && document.querySelector('#audit tbody').textContent.includes('restored')`)
		b.do("next page", chromedp.Click(chromedp.ID("next")))
		b.waitFor("the one before", `document.querySelectorAll('#audit tbody tr').length === 1 && document.querySelector('#audit tbody').textContent.includes('moved to the trash') && !!document.querySelector('#first')`)
		b.checkPage("audit")
		b.shot("audit")

		// At 1280 px the short columns (#, time, actor) stay on one line:
		// "admin" is not broken into "admi" and "n", nor a sequence number
		// into digits, however long the reasons and details beside them.
		b.open("#/audit")
		b.waitFor("the newest page", `document.querySelectorAll('#audit tbody tr').length > 10`)
		wrapped := eval[[]string](b, `[...document.querySelectorAll('#audit tbody tr')].flatMap((tr) => [0, 1, 2].map((i) => tr.cells[i]))
			.filter((td) => { const r = document.createRange(); r.selectNodeContents(td);
				return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size > 1; })
			.map((td) => td.textContent)`)
		if width := eval[int](b, `window.innerWidth`); width != 1280 || len(wrapped) > 0 {
			t.Errorf("audit table at %d px: these cells of #, time and actor wrap: %q", width, wrapped)
		}
	})

	step("Tokens", func(t *testing.T) {
		b.open("#/tokens")
		b.do("create a token", chromedp.WaitVisible(chromedp.ID("token-create")),
			chromedp.SendKeys(chromedp.ID("token-name"), "ci-reader"),
			chromedp.SetValue(chromedp.ID("token-scope"), "read"),
			chromedp.Click(chromedp.ID("token-coll-users")),
			submit("token-create"))
		b.waitFor("the secret, once", `(document.querySelector('#new-secret')?.textContent || '').length > 10 && !!document.querySelector('#tokens tr[data-name="ci-reader"] .token-active')`)
		secret := b.text("#new-secret")
		withToken := func(path string) int {
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			resp, err := noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if got := withToken("/api/users/42"); got != 200 {
			t.Errorf("GET /api/users/42 with the new read token = %d, want 200", got)
		}
		if got := withToken("/api/audit"); got != 403 {
			t.Errorf("GET /api/audit with the new read token = %d, want 403", got)
		}
		b.checkPage("tokens")
		b.shot("tokens")
		b.do("revoke", chromedp.Click(chromedp.CSS(`#tokens tr[data-name="ci-reader"] button.revoke`)))
		b.waitFor("asks to confirm", `document.querySelector('#tokens tr[data-name="ci-reader"] button.revoke')?.textContent.includes('Revoke ci-reader now')`)
		b.do("confirm", chromedp.Click(chromedp.CSS(`#tokens tr[data-name="ci-reader"] button.revoke`)))
		b.waitFor("revoked", `!!document.querySelector('#tokens tr[data-name="ci-reader"] .token-revoked')`)
		if got := withToken("/api/users/42"); got != 401 {
			t.Errorf("GET /api/users/42 with the revoked token = %d, want 401", got)
		}
	})

	step("Spanish", func(t *testing.T) {
		b.open("#/r/users/123")
		b.do("switch", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#lang'); s.value = 'es'; s.dispatchEvent(new Event('change')); })()`))
		b.waitFor("Spanish navigation", `document.querySelector('header nav')?.textContent.includes('Colecciones') && document.documentElement.lang === 'es'`)
		b.waitFor("the server's Spanish reason", `document.querySelector('#facts [data-field=reason]')?.textContent.includes('El usuario solicitó la eliminación de la cuenta')`)
		if got := b.text("h1 .badge"); got != "eliminado" {
			t.Errorf("state badge = %q, want eliminado", got)
		}
		b.checkPage("Spanish")
		b.shot("resource-es")
		b.open("#/explain?path=/api/users/123")
		b.waitFor("Spanish 410", `document.querySelector('#verdict-public pre.body')?.textContent.includes('Esta cuenta de usuario fue eliminada permanentemente el 2026-01-05')`)
		b.waitFor("Spanish steps", `document.querySelector('#steps')?.textContent.includes('¿Existió alguna vez? Sí, eliminado')`)
		b.shot("explain-es")
		b.do("switch back", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#lang'); s.value = 'en'; s.dispatchEvent(new Event('change')); })()`))
		b.waitFor("English again", `document.documentElement.lang === 'en'`)
	})

	step("PhoneWidth", func(t *testing.T) {
		b.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		b.open("#/r/users/42")
		b.waitFor("the actions", `!!document.querySelector('#act-softDelete')`)
		b.checkPage("phone resource")
		b.shot("phone-resource")
		b.open("#/c/users?filter=gone")
		b.waitFor("the list", `!!document.querySelector('#items')`)
		b.checkPage("phone list")
	})

	step("TokenRefusedLater", func(t *testing.T) {
		// A token that stops working (revoked, or a restarted server that
		// made a new one) signs the tab out with the server's reason.
		eval[bool](b, `sessionStorage.setItem('gone.token', 'stale'), true`)
		b.open("#/audit")
		b.waitFor("back at sign-in", `!!document.querySelector('#token') && (document.querySelector('#signin-result [role=alert]')?.textContent || '').includes('The token is not valid.')`)
		if kept := eval[string](b, `sessionStorage.getItem('gone.token') || ''`); kept != "" {
			t.Errorf("the refused token is still kept: %q", kept)
		}
	})
}
