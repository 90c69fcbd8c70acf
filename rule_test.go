package gone_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/sqlite"
)

var ruleAdmin = gone.Caller{Name: "ops", Scopes: []gone.Scope{gone.ScopeAdmin}}

func ruleService(t *testing.T) *gone.Service {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	return gone.NewService(store, demo.Config(), gone.WithClock(func() time.Time { return now }))
}

func rule(path string, prefix bool, action gone.RuleAction) gone.RuleSpec {
	return gone.RuleSpec{RuleKey: gone.RuleKey{Path: path, Prefix: prefix}, Action: action}
}

func TestSetRulesIsAuditedAndIdempotent(t *testing.T) {
	ctx := context.Background()
	svc := ruleService(t)
	moved := rule("/old", false, gone.RuleMoved)
	moved.To = "/new"
	gonePrefix := rule("/blog/2019/", true, gone.RuleGone)
	gonePrefix.Reason = "Retired"
	specs := []gone.RuleSpec{gonePrefix, moved}
	sum, err := svc.SetRules(ctx, ruleAdmin, specs, nil)
	if err != nil || sum.Created != 2 {
		t.Fatalf("SetRules = %+v, %v; want 2 created", sum, err)
	}
	events, _ := svc.Audit(ctx, gone.AuditQuery{Collection: gone.RulesCollection})
	if len(events) != 2 || events[0].Action != gone.ActionDelete || events[0].Actor != "ops" || events[0].Reason != "Retired" || events[1].Action != gone.ActionMove {
		t.Errorf("audit = %+v; want a delete by ops with its reason, then a move", events)
	}
	sum, err = svc.SetRules(ctx, ruleAdmin, specs, nil)
	if err != nil || sum.Unchanged != 2 {
		t.Errorf("SetRules again = %+v, %v; want 2 unchanged", sum, err)
	}
	if again, _ := svc.Audit(ctx, gone.AuditQuery{Collection: gone.RulesCollection}); len(again) != 2 {
		t.Errorf("audit after a no-op import has %d events, want still 2", len(again))
	}
}

func TestRulePermanence(t *testing.T) {
	ctx := context.Background()
	svc := ruleService(t)
	if _, _, err := svc.SetRule(ctx, ruleAdmin, rule("/gone", false, gone.RuleGone)); err != nil {
		t.Fatal(err)
	}
	for _, action := range []gone.RuleAction{gone.RuleClear, gone.RuleRemoved, gone.RuleUnavailable, gone.RuleMoved} {
		s := rule("/gone", false, action)
		s.To, s.At = "/x", svc.Now().Add(time.Hour)
		if _, _, err := svc.SetRule(ctx, ruleAdmin, s); gone.ErrorCode(err) != gone.ECONFLICT {
			t.Errorf("%s on a 410 path: %v, want ECONFLICT", action, err)
		}
	}
	s := rule("/gone", false, gone.RuleGone)
	s.Alternative = "/instead"
	if rec, out, err := svc.SetRule(ctx, ruleAdmin, s); err != nil || out != gone.RuleChanged || rec.Alternative != "/instead" {
		t.Errorf("a new alternative for a 410 path: %v %v %v, want it changed", rec, out, err)
	}
	// A moved rule may go back to the upstream.
	m := rule("/m", false, gone.RuleMoved)
	m.To = "/n"
	svc.SetRule(ctx, ruleAdmin, m)
	if rec, _, err := svc.SetRule(ctx, ruleAdmin, rule("/m", false, gone.RuleClear)); err != nil || rec.State(svc.Now()) != gone.StateLive {
		t.Errorf("clearing a moved rule: %v, %v; want it live", rec, err)
	}
	if _, _, err := svc.SetRule(ctx, ruleAdmin, rule("/never", false, gone.RuleClear)); !gone.IsNotFound(err) {
		t.Errorf("clearing no rule: %v, want ENOTFOUND", err)
	}
	for _, c := range []gone.Caller{
		{Name: "reader", Scopes: []gone.Scope{gone.ScopeRead}},
		{Name: "writer", Scopes: []gone.Scope{gone.ScopeWrite}},
		{Name: "users-admin", Scopes: []gone.Scope{gone.ScopeAdmin}, Collections: []string{"users"}},
	} {
		if _, _, err := svc.SetRule(ctx, c, rule("/r", false, gone.RuleGone)); gone.ErrorCode(err) != gone.EFORBIDDEN {
			t.Errorf("%s setting a rule: %v, want EFORBIDDEN (rules need an unrestricted admin)", c.Name, err)
		}
	}
}

func TestSetRulesAllOrNothing(t *testing.T) {
	ctx := context.Background()
	svc := ruleService(t)
	svc.SetRule(ctx, ruleAdmin, rule("/gone", false, gone.RuleGone))
	specs := []gone.RuleSpec{rule("/a", false, gone.RuleGone), rule("/gone", false, gone.RuleClear), rule("/b", false, gone.RuleGone)}
	specs[1].Line = 7
	_, err := svc.SetRules(ctx, ruleAdmin, specs, nil)
	if gone.ErrorCode(err) != gone.ECONFLICT || gone.ErrorMessage(err)[:6] != "line 7" {
		t.Fatalf("SetRules with a conflicting line: %v, want ECONFLICT naming line 7", err)
	}
	if _, err := svc.Rule(ctx, gone.RuleKey{Path: "/a"}); !gone.IsNotFound(err) {
		t.Errorf("rule /a after a failed import: %v, want none (nothing half-imported)", err)
	}
	for _, bad := range []string{"/a/../b", "/a%2Fb", "/a\x00", "relative", "/a/%2e%2e/b"} {
		if _, _, err := svc.SetRule(ctx, ruleAdmin, rule(bad, false, gone.RuleGone)); gone.ErrorCode(err) != gone.EINVALID {
			t.Errorf("a rule for %q: %v, want EINVALID", bad, err)
		}
	}
}

func TestImport100kRules(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("100k rules: not in -short or under -race (the plain run covers it)")
	}
	ctx := context.Background()
	svc := ruleService(t)
	specs := make([]gone.RuleSpec, 100_000)
	for i := range specs {
		specs[i] = rule(fmt.Sprintf("/old/%d", i), i%10 == 0, gone.RuleGone)
		specs[i].Line = i + 2
	}
	sum, err := svc.SetRules(ctx, ruleAdmin, specs, nil)
	if err != nil || sum.Created != 100_000 {
		t.Fatalf("SetRules(100k) = %+v, %v", sum, err)
	}
	recs, err := svc.Rules(ctx)
	if err != nil || len(recs) != 100_000 {
		t.Fatalf("Rules() = %d, %v; want 100000", len(recs), err)
	}
}
