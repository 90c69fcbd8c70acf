package console_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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

	"github.com/chromedp/chromedp"

	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/demotest"
)

// ruleTexts are the console's words the rules test reads, per language.
var ruleTexts = map[string]map[string]string{
	"en": {
		"nav.rules": "Rules", "nav.collections": "Collections", "state.gone": "gone", "state.deleted": "in the trash",
		"rexplain.upstream": "No rule: passed to the upstream, which answers.", "rexplain.a.norule": "No rule: passed to the upstream",
		"rexplain.q.match": "Does a rule match?", "rules.do.restore": "Restore (back to the upstream)",
		"rules.do.alternative": "Change the alternative", "status.410": "Gone",
	},
	"es": {
		"nav.rules": "Reglas", "nav.collections": "Colecciones", "state.gone": "eliminado", "state.deleted": "en la papelera",
		"rexplain.upstream": "Sin regla: pasa al origen, que responde.", "rexplain.a.norule": "Sin regla: pasa al origen",
		"rexplain.q.match": "¿Coincide alguna regla?", "rules.do.restore": "Restaurar (devolver al origen)",
		"rules.do.alternative": "Cambiar la alternativa", "status.410": "Eliminado",
	},
}

// goneBinary builds cmd/gone into dir: the tests below run the real
// program, as a user starts it.
func goneBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "gone")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/gonehttp/gone/cmd/gone").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./cmd/gone: %v\n%s", err, out)
	}
	return bin
}

// startProxy runs `gone proxy` in front of upstream, without --config (a
// proxy has no collections: only rules), on a fresh SQLite file, and
// returns its base URL once it listens.
func startProxy(t *testing.T, bin, upstream string) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(bin, "proxy", "--upstream", upstream, "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "gone.db"))
	cmd.Env = append(os.Environ(), "GONE_ADMIN_TOKEN=admin-secret")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening on http://"); ok {
				addr <- strings.Fields(a)[0]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatalf("gone proxy never said where it listens; stderr: %s", stderr.String())
		return ""
	}
}

// TestBrowserProxyRules: the console of a real `gone proxy` (no --config)
// in front of a real upstream opens on the rules, pages through them, and
// performs every rule action from its one form (retire, move 301 and 308,
// schedule, unavailable, back to the upstream, trash and restore, change a
// retired path's alternative); after each, the proxy answers the path as
// the rule says. Explain explains site paths through the rules, with a rule
// and without one. In English and in Spanish.
func TestBrowserProxyRules(t *testing.T) {
	chromiumPath(t) // skip before building when there is no Chromium
	bin := goneBinary(t, t.TempDir())
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) { testProxyRules(t, bin, lang) })
	}
}

func testProxyRules(t *testing.T, bin, lang string) {
	words := ruleTexts[lang]
	var mu sync.Mutex
	var seen []string
	up := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path)
		mu.Unlock()
		fmt.Fprintf(rw, "upstream page %s\n", r.URL.Path)
	}))
	t.Cleanup(up.Close)
	base := startProxy(t, bin, up.URL)

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path, token string, body []byte) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Accept", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	get := func(path string) (*http.Response, string) { t.Helper(); return send("GET", path, "", nil) }

	// 21 retired pages and a moved prefix: two pages of 20.
	var seed struct {
		Rules []map[string]any `json:"rules"`
	}
	for i := 1; i <= 21; i++ {
		seed.Rules = append(seed.Rules, map[string]any{"path": fmt.Sprintf("/old/page-%02d", i), "action": "gone", "reason": "Seeded"})
	}
	seed.Rules = append(seed.Rules, map[string]any{"path": "/docs/v1/*", "action": "moved", "to": "/docs/v2/"})
	body, _ := json.Marshal(seed)
	if resp, b := send("POST", "/_gone/rules/import", "admin-secret", body); resp.StatusCode != 200 {
		t.Fatalf("seed the rules: %d %s", resp.StatusCode, b)
	}

	b := newBrowser(t, base+"/_gone")
	b.signIn("admin-secret")
	b.waitFor("admin role", `!!document.querySelector('#role.role-admin')`)
	if lang != "en" {
		eval[bool](b, `(() => { const s = document.getElementById('lang'); s.value = `+strconv.Quote(lang)+`; s.dispatchEvent(new Event('change')); return true; })()`)
		b.waitFor("the page in "+lang, `document.documentElement.lang === `+strconv.Quote(lang)+` && document.body.hasAttribute('data-rendered')`)
	}

	// Home is the rules; a proxy without collections links to none.
	b.waitFor("the rules as home", `document.body.getAttribute('data-rendered') === '#/' && document.querySelectorAll('#rules tbody tr').length === 20`)
	nav := eval[[]string](b, `[...document.querySelectorAll('header nav a')].map(a => a.textContent)`)
	if len(nav) == 0 || nav[0] != words["nav.rules"] || strings.Contains(strings.Join(nav, "|"), words["nav.collections"]) {
		t.Errorf("nav = %q, want %s first and no %s", nav, words["nav.rules"], words["nav.collections"])
	}
	if got := eval[string](b, `document.querySelector('#rules tr[data-key="/old/page-01"] .badge').textContent`); got != words["state.gone"] {
		t.Errorf("state of /old/page-01 = %q, want %q", got, words["state.gone"])
	}
	b.checkPage("rules " + lang)
	b.shot("rules-" + lang)
	b.do("next page", chromedp.Click(chromedp.ID("next")))
	b.waitFor("the second page", `document.querySelectorAll('#rules tbody tr').length === 2 && !!document.querySelector('#rules tr[data-key="/docs/v1/*"][data-status="308"]') && !!document.querySelector('#first')`)
	// One page for all the rules, so each row can be picked.
	b.open("#/rules?limit=50")

	// act fills the form (the path typed, or a row's "Change…" picked),
	// applies it and waits for the console to say what the path answers.
	type field struct{ id, value string }
	act := func(what, path string, pick bool, kind string, fields ...field) {
		t.Helper()
		b.waitFor("the rule form", `!!document.getElementById('rule-form')`)
		if pick {
			b.do("pick "+path, chromedp.Click(chromedp.CSS(`#rules tr[data-key=`+strconv.Quote(path)+`] button.edit`)))
		} else {
			b.do("type "+path, chromedp.SendKeys(chromedp.ID("rule-path"), path))
		}
		js := `(() => { const set = (id, v) => { const e = document.getElementById(id); if (e.type === 'checkbox') e.checked = v === 'true'; else e.value = v; e.dispatchEvent(new Event('input')); e.dispatchEvent(new Event('change')); };
			set('rule-action', ` + strconv.Quote(kind) + `);`
		for _, f := range fields {
			js += ` set(` + strconv.Quote(f.id) + `, ` + f.value + `);`
		}
		js += ` document.getElementById('flash').textContent = ''; return true; })()`
		eval[bool](b, js)
		b.do(what, submit("rule-form"))
		b.waitFor(what, `(document.getElementById('flash')?.textContent || '').includes(`+strconv.Quote(path)+`)`)
	}
	q := strconv.Quote
	localIn := func(d time.Duration) string {
		return fmt.Sprintf(`(() => { const d = new Date(Date.now() + %d); const p = n => String(n).padStart(2, '0');
			return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds()); })()`, d.Milliseconds())
	}

	// Retire: 410 with the reason and the alternative.
	act("retire", "/blog/2019/hello.html", false, "retire",
		field{"rule-reason", q("Merged into the 2020 post")}, field{"rule-alternative", q("/blog/2020/hello.html")}, field{"rule-confirm", q("true")})
	if resp, body := get("/blog/2019/hello.html"); resp.StatusCode != 410 || !strings.Contains(body, "Merged into the 2020 post") || !strings.Contains(body, "/blog/2020/hello.html") {
		t.Errorf("GET /blog/2019/hello.html after retire = %d %s, want 410 with reason and alternative", resp.StatusCode, body)
	}
	// Move, 301; then from its row, 308 elsewhere.
	act("move 301", "/about-us", false, "move", field{"rule-to", q("/about")}, field{"rule-status", q("301")})
	if resp, _ := get("/about-us"); resp.StatusCode != 301 || resp.Header.Get("Location") != "/about" {
		t.Errorf("GET /about-us after move = %d to %q, want 301 to /about", resp.StatusCode, resp.Header.Get("Location"))
	}
	act("move 308", "/about-us", true, "move", field{"rule-to", q("/company")}, field{"rule-status", q("308")})
	if resp, _ := get("/about-us"); resp.StatusCode != 308 || resp.Header.Get("Location") != "/company" {
		t.Errorf("GET /about-us after the second move = %d to %q, want 308 to /company", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A refused action shows the server's problem and changes nothing.
	b.do("type a bad target", chromedp.SendKeys(chromedp.ID("rule-path"), "/bad"))
	eval[bool](b, `(() => { const a = document.getElementById('rule-action'); a.value = 'move'; a.dispatchEvent(new Event('change')); document.getElementById('rule-to').value = 'javascript:alert(1)'; return true; })()`)
	b.do("refused move", submit("rule-form"))
	b.waitFor("the server's problem", `(document.querySelector('#rule-result [role=alert]')?.textContent || '').includes('400')`)
	if resp, _ := get("/bad"); resp.StatusCode != 200 {
		t.Errorf("GET /bad after a refused rule = %d, want the upstream's 200", resp.StatusCode)
	}
	b.open("#/rules?limit=50")
	// Unavailable for an hour: 503 with Retry-After; then back to the upstream.
	act("unavailable", "/shop/*", false, "unavailable", field{"rule-until", localIn(time.Hour)})
	if resp, _ := get("/shop/cart"); resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("GET /shop/cart after unavailable = %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	act("back to the upstream", "/shop/*", true, "clear")
	if resp, body := get("/shop/cart"); resp.StatusCode != 200 || !strings.Contains(body, "upstream page /shop/cart") {
		t.Errorf("GET /shop/cart after clear = %d %s, want the upstream's page", resp.StatusCode, body)
	}
	// The trash: 404 at once; restored, the upstream again.
	act("trash", "/drafts/plan", false, "remove", field{"rule-reason", q("Not ready")})
	if resp, _ := get("/drafts/plan"); resp.StatusCode != 404 {
		t.Errorf("GET /drafts/plan in the trash = %d, want 404", resp.StatusCode)
	}
	if got := eval[string](b, `document.querySelector('#rules tr[data-key="/drafts/plan"] .badge').textContent`); got != words["state.deleted"] {
		t.Errorf("state of /drafts/plan = %q, want %q", got, words["state.deleted"])
	}
	b.do("pick the trashed rule", chromedp.Click(chromedp.CSS(`#rules tr[data-key="/drafts/plan"] button.edit`)))
	if got := eval[string](b, `[...document.querySelectorAll('#rule-action option')].find(o => o.value === 'clear')?.textContent`); got != words["rules.do.restore"] {
		t.Errorf("a trashed rule offers %q, want %q", got, words["rules.do.restore"])
	}
	act("restore", "/drafts/plan", true, "clear")
	if resp, _ := get("/drafts/plan"); resp.StatusCode != 200 {
		t.Errorf("GET /drafts/plan restored = %d, want the upstream's 200", resp.StatusCode)
	}
	// A retired path offers only its alternative.
	b.do("pick the retired rule", chromedp.Click(chromedp.CSS(`#rules tr[data-key="/blog/2019/hello.html"] button.edit`)))
	if got := eval[[]string](b, `[...document.querySelectorAll('#rule-action option')].map(o => o.textContent)`); len(got) != 1 || got[0] != words["rules.do.alternative"] {
		t.Errorf("a retired rule offers %q, want only %q", got, words["rules.do.alternative"])
	}
	act("new alternative", "/blog/2019/hello.html", true, "alternative", field{"rule-alternative", q("/blog/2021/hello.html")})
	if resp, body := get("/blog/2019/hello.html"); resp.StatusCode != 410 || !strings.Contains(body, "/blog/2021/hello.html") {
		t.Errorf("GET /blog/2019/hello.html after the new alternative = %d %s, want 410 pointing at /blog/2021/hello.html", resp.StatusCode, body)
	}
	// Schedule: the upstream with Sunset until the date, then 410. Six
	// seconds ahead: enough for the form's round trips on a loaded machine.
	act("schedule", "/promo/summer", false, "schedule", field{"rule-at", localIn(6 * time.Second)}, field{"rule-reason", q("Campaign over")})
	if resp, body := get("/promo/summer"); resp.StatusCode != 200 || resp.Header.Get("Sunset") == "" || !strings.Contains(body, "upstream page") {
		t.Errorf("GET /promo/summer before its date = %d (Sunset %q), want the upstream's 200 with Sunset", resp.StatusCode, resp.Header.Get("Sunset"))
	}
	b.checkPage("rules after the actions " + lang)
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, body := get("/promo/summer")
		if resp.StatusCode == 410 && strings.Contains(body, "Campaign over") {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("GET /promo/summer after its date = %d %s, want 410 with the reason", resp.StatusCode, body)
			break
		}
		time.Sleep(250 * time.Millisecond)
	}

	// Explain a site path with a rule, and one without.
	b.open("#/explain?path=" + "%2Fblog%2F2019%2Fhello.html")
	b.waitFor("the rule's explanation", `(document.querySelector('#rule-answer')?.textContent || '').includes('HTTP 410')`)
	if got := b.text("#rule-answer"); !strings.Contains(got, words["status.410"]) {
		t.Errorf("explain answer = %q, want HTTP 410 %s", got, words["status.410"])
	}
	if got := b.text("#steps"); !strings.Contains(got, words["rexplain.q.match"]) || !strings.Contains(got, "/blog/2019/hello.html") {
		t.Errorf("explain steps = %q, want %q answered with the rule", got, words["rexplain.q.match"])
	}
	b.checkPage("explain a retired path " + lang)
	b.shot("explain-rule-" + lang)
	// Typed as a full URL, as a user pastes it.
	b.do("explain a URL", chromedp.SetValue(chromedp.ID("explain-path"), base+"/nothing/here.html?utm=1"), submit("explain-form"))
	b.waitFor("no rule", `document.body.getAttribute('data-rendered') === '#/explain?path=%2Fnothing%2Fhere.html' && !!document.querySelector('#rule-answer')`)
	if got := b.text("#rule-answer"); got != words["rexplain.upstream"] {
		t.Errorf("explain of a path without a rule = %q, want %q", got, words["rexplain.upstream"])
	}
	if got := b.text("#steps"); !strings.Contains(got, words["rexplain.a.norule"]) {
		t.Errorf("explain steps = %q, want %q", got, words["rexplain.a.norule"])
	}
	b.checkPage("explain a path without a rule " + lang)

	mu.Lock()
	defer mu.Unlock()
	for _, p := range seen {
		if strings.HasPrefix(p, "/_gone") {
			t.Errorf("the upstream saw %s: the console's calls must stay with the proxy", p)
		}
	}
}

// TestBrowserServeRules: on gone serve (which answers its path rules on
// the paths no API route serves) the console's home stays the collections,
// with the rules beside them; Explain of a path that is no resource goes
// through the rules: without a rule the server's own routes answer, with
// one the rule's status, which serve then answers; resource paths are
// still explained as resources.
func TestBrowserServeRules(t *testing.T) {
	w := demotest.New(t)
	rules, err := gonehttp.Load(context.Background(), w.Service)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w.Handler(nil, httpapi.WithRules(rules)))
	t.Cleanup(srv.Close)

	b := newBrowser(t, srv.URL)
	b.signIn(demotest.AdminToken)
	b.waitFor("the collections as home", `document.body.getAttribute('data-rendered') === '#/' && !!document.querySelector('#role.role-admin') && !!document.querySelector('#coll-title')`)
	nav := eval[[]string](b, `[...document.querySelectorAll('header nav a')].map(a => a.getAttribute('href'))`)
	if len(nav) < 2 || nav[0] != "#/c" || nav[1] != "#/rules" {
		t.Errorf("nav = %q, want #/c then #/rules", nav)
	}

	b.open("#/explain?path=%2Fold-landing")
	b.waitFor("no rule", `!!document.querySelector('#rule-answer')`)
	if got, want := b.text("#rule-answer"), "No rule: the server’s own routes answer (a path none of them serves gets 404)."; got != want {
		t.Errorf("explain without a rule on serve = %q, want %q", got, want)
	}
	status := func(path string) int {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("/old-landing"); got != http.StatusNotFound {
		t.Fatalf("GET /old-landing without a rule = %d, want 404", got)
	}

	req, _ := http.NewRequest("POST", srv.URL+"/rules", strings.NewReader(`{"path":"/old-landing","action":"gone","reason":"Retired with the 2025 site"}`))
	req.Header.Set("Authorization", "Bearer "+demotest.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /rules = %d, want 201", resp.StatusCode)
	}

	b.open("#/explain?path=%2Fold-landing&again=1")
	b.waitFor("the rule's explanation", `(document.querySelector('#rule-answer')?.textContent || '').includes('HTTP 410')`)
	if got := status("/old-landing"); got != http.StatusGone {
		t.Errorf("GET /old-landing with the rule = %d, want 410, as Explain says", got)
	}
	b.checkPage("serve: explain through the rules")
	b.open("#/explain?path=%2Fapi%2Fusers%2F123")
	b.waitFor("a resource's explanation", `!!document.querySelector('#flowchart') && (document.querySelector('#verdict-public .status')?.textContent || '').includes('HTTP 410')`)
	b.open("#/rules")
	b.waitFor("the rule listed", `!!document.querySelector('#rules tr[data-key="/old-landing"][data-status="410"]')`)
	b.checkPage("serve: rules")
}
