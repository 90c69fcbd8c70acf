package gone_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/storetest"
)

// mixedRules are n rules in every state a rule can be in (retired, expiring,
// moved, unavailable, soft-removed), exact and prefix, so that a page
// merges the lists of every state.
func mixedRules(n int, now time.Time) []gone.RuleSpec {
	specs := make([]gone.RuleSpec, n)
	for i := range specs {
		specs[i] = storetest.RuleInState(fmt.Sprintf("/p/%04d", i), i%3 == 0, i, now)
	}
	return specs
}

func TestRulesPageListsEachRuleOnceInOrder(t *testing.T) {
	ctx := context.Background()
	svc := ruleService(t)
	if _, err := svc.SetRules(ctx, ruleAdmin, mixedRules(300, svc.Now()), nil); err != nil {
		t.Fatal(err)
	}
	all, err := svc.Rules(ctx)
	if err != nil || len(all) != 300 {
		t.Fatalf("Rules() = %d, %v; want 300", len(all), err)
	}
	for _, limit := range []int{1, 7, 50, 299, 300, 500} {
		var got []string
		after, pages := "", 0
		for {
			recs, next, err := svc.RulesPage(ctx, after, limit)
			if err != nil {
				t.Fatalf("limit %d: RulesPage(%q) = %v", limit, after, err)
			}
			if len(recs) > limit {
				t.Fatalf("limit %d: a page of %d", limit, len(recs))
			}
			for _, r := range recs {
				got = append(got, r.ID)
			}
			pages++
			if next == "" {
				break
			}
			if pages > 400 {
				t.Fatalf("limit %d: no end after %d pages", limit, pages)
			}
			after = next
		}
		if want := (300 + limit - 1) / limit; pages != want {
			t.Errorf("limit %d: %d pages, want %d (next only when more remain)", limit, pages, want)
		}
		if len(got) != len(all) {
			t.Fatalf("limit %d: %d rules, want %d", limit, len(got), len(all))
		}
		for i := range all {
			if got[i] != all[i].ID {
				t.Fatalf("limit %d: rule %d is %s, want %s (the order of Rules)", limit, i, got[i], all[i].ID)
			}
		}
	}
}

func TestRulesPageRefusesBadLimitAndCursor(t *testing.T) {
	ctx := context.Background()
	svc := ruleService(t)
	for _, c := range []struct {
		after string
		limit int
	}{{"", 501}, {"blog", 10}, {"/blog", 10}, {"=", 10}, {"=blog", 10}} {
		if _, _, err := svc.RulesPage(ctx, c.after, c.limit); gone.ErrorCode(err) != gone.EINVALID {
			t.Errorf("RulesPage(%q, %d) = %v; want EINVALID", c.after, c.limit, err)
		}
	}
	if recs, next, err := svc.RulesPage(ctx, "", 0); err != nil || len(recs) != 0 || next != "" {
		t.Errorf("RulesPage of no rules = %d, %q, %v; want an empty last page", len(recs), next, err)
	}
}
