package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gonehttp/gone"
)

// TestRulesImportDryRunAndExport: a dry run answers the diff and writes
// nothing; the real import says the same words; the export is the list in
// the asked format, with the counts in its headers.
func TestRulesImportDryRunAndExport(t *testing.T) {
	e := newEnv(t)
	body := `{"rules":[{"path":"/old","action":"gone","reason":"promotion_ended"},{"path":"/a","action":"moved","to":"/b"},{"path":"/b","action":"moved","to":"/c"},{"path":"/loop","action":"moved","to":"/loop"}]}`
	w := e.admin("POST", "/rules/import?dryRun=true", body)
	must(t, w, 200, "POST /rules/import?dryRun=true")
	var sum gone.RuleImport
	json.Unmarshal(w.Body.Bytes(), &sum)
	if !sum.DryRun || sum.Created != 3 || sum.Refused != 1 || len(sum.Rules) != 4 || sum.ReasonsAsText["promotion_ended"] != 1 {
		t.Errorf("dry run = %s; want 3 created, 1 refused (the loop), 4 diff lines, promotion_ended kept as text", w.Body)
	}
	if len(sum.Findings) != 1 || sum.Findings[0].Kind != gone.FindingChain {
		t.Errorf("dry run findings = %+v, want the chain /a → /b → /c", sum.Findings)
	}
	w = e.admin("GET", "/rules", "")
	if strings.Contains(w.Body.String(), "/old") {
		t.Errorf("after a dry run GET /rules = %s, want no rules", w.Body)
	}
	w = e.admin("POST", "/rules/import", body)
	must(t, w, 400, "POST /rules/import with a loop")
	if !strings.Contains(w.Body.String(), "/loop → /loop") {
		t.Errorf("import with a loop = %s, want the cycle named", w.Body)
	}
	w = e.admin("POST", "/rules/import?flatten=true", strings.Replace(body, `,{"path":"/loop","action":"moved","to":"/loop"}`, "", 1))
	must(t, w, 200, "POST /rules/import?flatten=true")
	json.Unmarshal(w.Body.Bytes(), &sum)
	if sum.Created != 3 || len(sum.Flattened) != 1 || sum.Flattened[0].Now != "308 /c" {
		t.Errorf("flattened import = %s; want 3 created and /a flattened to 308 /c", w.Body)
	}

	w = e.admin("GET", "/rules/export?format=nginx", "")
	must(t, w, 200, "GET /rules/export?format=nginx")
	for _, want := range []string{"location = /old { return 410; }", "location = /a { return 308 /c; }", "location = /b { return 308 /c; }"} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("nginx export lacks %q:\n%s", want, w.Body)
		}
	}
	if got := w.Header().Get("Gone-Rules-Written"); got != "3" {
		t.Errorf("Gone-Rules-Written = %q, want 3", got)
	}
	w = e.admin("GET", "/rules/export?format=shopify", "")
	if w.Header().Get("Gone-Rules-Left-Out") != "1" || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Errorf("shopify export: left out %q, type %q; want 1 (the 410), text/csv", w.Header().Get("Gone-Rules-Left-Out"), w.Header().Get("Content-Type"))
	}
	w = e.admin("GET", "/rules/export?format=word", "")
	must(t, w, 400, "GET /rules/export?format=word")
}
