package gone_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gonehttp/gone"
)

func move(path, to string) gone.RuleSpec {
	s := rule(path, strings.HasSuffix(path, "*"), gone.RuleMoved)
	s.Path = strings.TrimSuffix(path, "*")
	s.To = to
	return s
}

func TestCheckRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		specs []gone.RuleSpec
		want  []string
	}{
		{"no findings", []gone.RuleSpec{move("/a", "/b"), rule("/c", false, gone.RuleGone)}, nil},
		{"chain", []gone.RuleSpec{move("/a", "/b"), move("/b", "/c"), move("/c", "/d")},
			[]string{"chain /a → /b → /c → /d", "chain /b → /c → /d"}},
		{"move to a retired path", []gone.RuleSpec{move("/a", "/b"), rule("/b", false, gone.RuleGone)},
			[]string{"retired-target /a → /b"}},
		{"chain that ends retired", []gone.RuleSpec{move("/a", "/b"), move("/b", "/c?x=1"), rule("/c", false, gone.RuleRemoved)},
			[]string{"retired-target /a → /b → /c", "retired-target /b → /c"}},
		{"move into a retired prefix", []gone.RuleSpec{move("/a", "/old/x"), rule("/old/", true, gone.RuleGone)},
			[]string{"retired-target /a → /old/*"}},
		{"loop", []gone.RuleSpec{move("/a", "/b"), move("/b", "/c"), move("/c", "/a"), move("/z", "/a")},
			[]string{"loop /a → /b → /c → /a"}},
		{"prefix that moves into itself", []gone.RuleSpec{move("/docs/*", "/docs/index")},
			[]string{"loop /docs/* → /docs/*"}},
		{"another site is not followed", []gone.RuleSpec{move("/a", "https://example.com/a"), move("/b", "//example.com/a")}, nil},
		{"shadow", []gone.RuleSpec{rule("/blog/", true, gone.RuleGone), move("/blog/keep", "/keep"), rule("/blog/also", false, gone.RuleGone)},
			[]string{"shadow /blog/keep ^ /blog/*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, f := range gone.CheckRules(tt.specs) {
				h := f.Hops
				if f.Kind == gone.FindingShadow {
					got = append(got, fmt.Sprintf("%s %s ^ %s", f.Kind, f.Key, h[0]))
					continue
				}
				got = append(got, fmt.Sprintf("%s %s", f.Kind, strings.Join(h, " → ")))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("CheckRules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestSetRulesRefusesLoops(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := ruleService(t)
	if _, err := svc.SetRules(ctx, ruleAdmin, []gone.RuleSpec{move("/a", "/b"), move("/b", "/c")}, nil); err != nil {
		t.Fatal(err)
	}
	// One rule closes the loop through two already in the store.
	_, _, err := svc.SetRule(ctx, ruleAdmin, move("/c", "/a"))
	if gone.ErrorCode(err) != gone.EINVALID || !strings.Contains(gone.ErrorMessage(err), "/c → /a → /b → /c") {
		t.Errorf("SetRule closing a loop = %v, want EINVALID naming the cycle /c → /a → /b → /c", err)
	}
	if _, err := svc.Rule(ctx, gone.RuleKey{Path: "/c"}); gone.ErrorCode(err) != gone.ENOTFOUND {
		t.Errorf("after the refused loop, /c has a rule (%v); want none", err)
	}
	// A large change is checked against the whole list.
	big := make([]gone.RuleSpec, 0, 1200)
	for i := range 1199 {
		big = append(big, move(fmt.Sprintf("/big/%d", i), fmt.Sprintf("/elsewhere/%d", i)))
	}
	big = append(big, move("/c", "/a"))
	_, err = svc.SetRules(ctx, ruleAdmin, big, nil)
	if gone.ErrorCode(err) != gone.EINVALID || !strings.Contains(gone.ErrorMessage(err), "loop") {
		t.Errorf("SetRules of 1200 moves closing a loop = %v, want EINVALID naming the loop", err)
	}
	// A move to a prefix that is the move itself is a loop of one.
	_, _, err = svc.SetRule(ctx, ruleAdmin, move("/docs/*", "/docs/"))
	if gone.ErrorCode(err) != gone.EINVALID {
		t.Errorf("SetRule /docs/* → /docs/ = %v, want EINVALID", err)
	}
}

func TestImportRulesDryRunAndFlatten(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := ruleService(t)
	if _, err := svc.SetRules(ctx, ruleAdmin, []gone.RuleSpec{move("/b", "/c"), rule("/gone", false, gone.RuleGone)}, nil); err != nil {
		t.Fatal(err)
	}
	specs := []gone.RuleSpec{move("/a", "/b"), move("/x", "/gone"), move("/b", "/d"), rule("/gone", false, gone.RuleRemoved), rule("/new", false, gone.RuleGone)}
	for i := range specs {
		specs[i].Line = i + 1
	}
	sum, err := svc.ImportRules(ctx, ruleAdmin, specs, gone.ImportOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range sum.Rules {
		got = append(got, fmt.Sprintf("%d %s %s: %s -> %s %s", d.Line, d.Key, d.Outcome, d.Was, d.Now, d.Error))
	}
	want := []string{
		"1 /a created: upstream -> 308 /b ",
		"2 /x created: upstream -> 308 /gone ",
		"3 /b changed: 308 /c -> 308 /d ",
		"4 /gone refused: 410 ->  /gone answers 410 since 2026-11-22T12:00:00Z and always will; it cannot become removed.",
		"5 /new created: upstream -> 410 ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("dry run diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if sum.Created != 3 || sum.Changed != 1 || sum.Refused != 1 || !sum.DryRun {
		t.Errorf("dry run = %+v, want 3 created, 1 changed, 1 refused", sum)
	}
	if n := len(sum.Findings); n != 2 {
		t.Errorf("dry run findings = %+v, want the chain /a → /b and the move /x → /gone", sum.Findings)
	}
	if recs, _ := svc.Rules(ctx); len(recs) != 2 {
		t.Errorf("after a dry run there are %d rules, want the 2 from before", len(recs))
	}

	// Flatten: /a → /b → /d becomes /a → /d; /x → /gone becomes /x gone.
	sum, err = svc.ImportRules(ctx, ruleAdmin, specs[:3], gone.ImportOptions{Flatten: true})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, d := range sum.Flattened {
		got = append(got, d.Key+": "+d.Was+" -> "+d.Now)
	}
	if w := "/a: 308 /b -> 308 /d\n/x: 308 /gone -> 410"; strings.Join(got, "\n") != w {
		t.Errorf("flattened:\n%s\nwant:\n%s", strings.Join(got, "\n"), w)
	}
	if rec, _ := svc.Rule(ctx, gone.RuleKey{Path: "/a"}); rec == nil || rec.MovedTo != "/d" {
		t.Errorf("/a after the flattened import = %+v, want moved to /d", rec)
	}
}

func TestImportRulesReasons(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := ruleService(t)
	specs := []gone.RuleSpec{rule("/promo", false, gone.RuleGone), rule("/spam", false, gone.RuleGone), rule("/other", false, gone.RuleGone)}
	specs[0].Reason, specs[1].Reason, specs[2].Reason = "promotion_ended", "promotion_ended", "Sold out"
	if _, err := svc.ImportRules(ctx, ruleAdmin, specs, gone.ImportOptions{StrictReasonCodes: true}); gone.ErrorCode(err) != gone.EINVALID || !strings.Contains(gone.ErrorMessage(err), "promotion_ended") {
		t.Errorf("strict import of an unknown code = %v, want EINVALID naming promotion_ended", err)
	}
	if recs, _ := svc.Rules(ctx); len(recs) != 0 {
		t.Errorf("a refused strict import left %d rules", len(recs))
	}
	sum, err := svc.ImportRules(ctx, ruleAdmin, specs, gone.ImportOptions{})
	if err != nil || sum.Created != 3 || sum.ReasonsAsText["promotion_ended"] != 2 {
		t.Fatalf("import = %+v, %v; want 3 created, promotion_ended kept as text twice", sum, err)
	}
	if rec, _ := svc.Rule(ctx, gone.RuleKey{Path: "/promo"}); rec.Reason != "promotion ended" {
		t.Errorf("reason of /promo = %q, want %q", rec.Reason, "promotion ended")
	}
}

// BenchmarkCheckRules100k checks a list of 100,000 rules: a third retired
// prefixes, a third moves (some in chains), a third exact 410s.
func BenchmarkCheckRules100k(b *testing.B) {
	specs := make([]gone.RuleSpec, 0, 100_000)
	for i := range 100_000 {
		switch i % 3 {
		case 0:
			specs = append(specs, rule(fmt.Sprintf("/archive/%d/", i), true, gone.RuleGone))
		case 1:
			specs = append(specs, move(fmt.Sprintf("/p/%d", i), fmt.Sprintf("/p/%d", i+3)))
		default:
			specs = append(specs, rule(fmt.Sprintf("/archive/%d/x", i-2), false, gone.RuleGone))
		}
	}
	for b.Loop() {
		gone.CheckRules(specs)
	}
}
