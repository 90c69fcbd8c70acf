package console

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path"
	"regexp"
	"strings"
	"testing"
)

// These checks hold for every file the console embeds, without a browser:
// the rules its Content-Security-Policy and its escaping depend on.

func files(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, p)
		out[strings.TrimPrefix(p, "static/")] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestNoInlineCodeOrHTMLStrings(t *testing.T) {
	inlineScript := regexp.MustCompile(`<script(?:\s+[^>]*)?>\s*[^<\s]`)
	handlerAttr := regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`)
	styleAttr := regexp.MustCompile(`(?i)<[^>]+\sstyle\s*=`)
	// Ways to turn a string into markup or code; the console must use none.
	sinks := regexp.MustCompile(`\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\(\s*['"]style|\.style\.|[{,]\s*style\s*:`)
	for name, body := range files(t) {
		switch path.Ext(name) {
		case ".html":
			if inlineScript.MatchString(body) || handlerAttr.MatchString(body) || styleAttr.MatchString(body) {
				t.Errorf("%s has inline script, an event-handler attribute or a style attribute", name)
			}
		case ".js":
			if m := sinks.FindString(body); m != "" {
				t.Errorf("%s uses %s: build nodes with dom.js and insert data as text", name, m)
			}
		}
	}
}

func TestModulesParse(t *testing.T) {
	// A syntax error stops the whole console before it draws anything; the
	// browser test would only time out. Node says where, when it is here.
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node to parse the modules with; the browser test still loads them")
	}
	for name, body := range files(t) {
		if path.Ext(name) != ".js" {
			continue
		}
		cmd := exec.Command(node, "--input-type=module", "--check")
		cmd.Stdin = strings.NewReader(body)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s does not parse: %v\n%s", name, err, out)
		}
	}
}

func TestImportsResolve(t *testing.T) {
	all := files(t)
	imp := regexp.MustCompile(`(?m)^import .* from '([^']+)';`)
	refs := regexp.MustCompile(`(?:src|href)="([^"#:]+)"`)
	for name, body := range all {
		var targets []string
		for _, m := range imp.FindAllStringSubmatch(body, -1) {
			targets = append(targets, m[1])
		}
		if path.Ext(name) == ".html" {
			for _, m := range refs.FindAllStringSubmatch(body, -1) {
				targets = append(targets, m[1])
			}
		}
		for _, target := range targets {
			p := path.Clean(path.Join(path.Dir(name), target))
			if _, ok := all[p]; !ok {
				t.Errorf("%s refers to %s, which the console does not hold", name, target)
			}
		}
	}
}

func TestFileNamesFitTheRoute(t *testing.T) {
	// GET /admin/{file} names one file: no directories (openapi.json's
	// pattern for {file}).
	name := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	for p := range files(t) {
		if !name.MatchString(p) {
			t.Errorf("console file %q does not fit GET /admin/{file}: keep the files in one directory", p)
		}
	}
}

func TestTranslationsHaveTheSameKeys(t *testing.T) {
	body := files(t)["i18n.js"]
	block := func(lang string) map[string]bool {
		start := strings.Index(body, "\n  "+lang+": {")
		if start < 0 {
			t.Fatalf("i18n.js has no %s block", lang)
		}
		end := strings.Index(body[start:], "\n  },")
		keys := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?m)^\s+'([^']+)':`).FindAllStringSubmatch(body[start:start+end], -1) {
			keys[m[1]] = true
		}
		return keys
	}
	en, es := block("en"), block("es")
	if len(en) < 100 {
		t.Fatalf("found %d English keys; is the parser wrong?", len(en))
	}
	for k := range en {
		if !es[k] {
			t.Errorf("Spanish lacks %q", k)
		}
	}
	for k := range es {
		if !en[k] {
			t.Errorf("English lacks %q", k)
		}
	}
}

func TestHandlerHeaders(t *testing.T) {
	h := Handler(http.NotFoundHandler())
	for _, p := range []string{"/admin/", "/admin/app.js", "/admin/style.css", "/admin/resource.js"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
		if w.Code != 200 {
			t.Errorf("GET %s = %d, want 200", p, w.Code)
			continue
		}
		for k, want := range map[string]string{
			"Content-Security-Policy": ContentSecurityPolicy,
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"X-Frame-Options":         "DENY",
		} {
			if got := w.Header().Get(k); got != want {
				t.Errorf("GET %s: %s = %q, want %q", p, k, got, want)
			}
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/admin/../console.go", nil))
	if w.Code != 404 {
		t.Errorf("GET outside the static files = %d, want 404", w.Code)
	}
}
