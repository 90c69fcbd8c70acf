package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRulesImportExportCheck runs the gone list's round through a real
// proxy: a dry run prints the diff and writes nothing, the import says the
// same words, reasons of no catalog are kept as text (or refused with
// --reason-codes strict), the export is the list in an edge's format, and
// check finds chains in the live list and loops in a file.
func TestRulesImportExportCheck(t *testing.T) {
	url := proxyInProcess(t)
	s := &cliServer{t: t, url: url}
	redirects := writeFile(t, "_redirects", "/old-page /gone.html 410!\n/a /b 301\n/b /c 308\n/temp /x 302\n")

	s.gone("", "rules", "import", redirects, "--output", "table").
		want(t, "import with a refused line", exitFailed, "_redirects:4: /temp: status 302", "1 lines refused; nothing imported")
	r := s.gone("", "rules", "import", redirects, "--dry-run", "--output", "table")
	r.want(t, "dry run", exitOK,
		"+ line 1: /old-page created: upstream → 410",
		"+ line 2: /a created: upstream → 301 /b",
		"! line 4: refused: /temp: status 302",
		"4 rules would be: 3 created, 0 changed, 0 unchanged, 1 refused (dry run: nothing was written)",
		"chain: chain of moves: /a → /b")
	s.gone("", "rules", "list", "--output", "table").want(t, "list after a dry run", exitOK)
	if r := s.gone("", "rules", "list", "--output", "json"); strings.Contains(r.stdout, "/old-page") {
		t.Errorf("after a dry run the list holds /old-page:\n%s", r.stdout)
	}
	s.gone("", "rules", "import", redirects, "--skip-refused", "--flatten", "--output", "table").
		want(t, "import flattened", exitFailed, "4 rules: 3 created, 0 changed, 0 unchanged, 1 refused", "flattened /a: 301 /b → 301 /c", "1 lines refused and skipped")
	s.gone("", "rules", "import", redirects, "--skip-refused", "--dry-run", "--output", "table").
		want(t, "dry run again", exitOK, "= line 1: /old-page unchanged: 410", "~ line 2: /a changed: 301 /c → 301 /b")

	promo := writeFile(t, "promo.csv", "path,status,reason\n/promo,410,promotion_ended\n")
	s.gone("", "rules", "import", promo, "--reason-codes", "strict", "--output", "table").
		want(t, "strict reasons", exitFailed, "unknown reason code promotion_ended", "nothing imported")
	s.gone("", "rules", "import", promo, "--output", "table").
		want(t, "reasons as text", exitOK, "1 created", "reasons kept as free text, not in the catalog: promotion_ended (1)")

	r = s.gone("", "rules", "export", "--format", "nginx")
	r.want(t, "export nginx", exitOK, "location = /old-page { return 410; }", "location = /a { return 301 /c; }", "rules export nginx: 4 rules written, 0 left out")
	r = s.gone("", "rules", "export", "--format", "shopify")
	r.want(t, "export shopify", exitOK, "/a,/c", "left out /old-page: 410: shopify carries redirects only", "written /b: 308 written as 301")
	s.gone("", "rules", "export", "--format", "word").want(t, "export to an unknown format", exitUsage, "--format must be one of")

	// The live list has no chain left; a file with a chain and a loop.
	s.gone("", "rules", "check").want(t, "check the list", exitOK, "the list: 4 rules, 0 findings")
	loop := writeFile(t, "loop.nginx.conf", "location = /x { return 301 /y; }\nlocation = /y { return 301 /x; }\nlocation = /p { return 301 /q; }\nlocation = /q { return 301 /r; }\n")
	s.gone("", "rules", "check", loop, "--flatten").want(t, "check a file", exitFailed, "loop: loop: /x → /y → /x", "chain: chain of moves: /p → /q", "flatten /p: 301 /q → 301 /r")
	s.gone("", "rules", "import", redirects, "--format", "nginx").want(t, "a file of another format", exitUsage, "does not look like nginx but like netlify")
}

// TestProxyRulesKeepsUnknownReasonsAsText: a list from elsewhere whose
// reason is a code of no catalog no longer stops gone proxy at start; the
// 410 answers with the reason as text, and Netlify's file is read by its
// name.
func TestProxyRulesKeepsUnknownReasonsAsText(t *testing.T) {
	csv := writeFile(t, "gone.csv", "path,status,reason\n/promo,410,promotion_ended\n")
	redirects := writeFile(t, "_redirects", "/old-page /gone.html 410!\n")
	url := proxyInProcess(t, "--rules", csv, "--rules", redirects)
	for path, want := range map[string]string{"/promo": "promotion ended", "/old-page": ""} {
		req, _ := http.NewRequest("GET", url+path, nil)
		req.Header.Set("Accept", "application/problem+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 410 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d %s; want 410 with the reason %q", path, resp.StatusCode, body, want)
		}
	}
}
