package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// testRules checks that the service pages the path rules over this store:
// every rule once, in byte order of their ids, across the lists of every
// state a rule can be in.
func testRules(t *testing.T, newStore func(t *testing.T) gone.Store) {
	ctx := context.Background()
	svc := gone.NewService(open(t, newStore), &gone.Config{}, gone.WithClock(func() time.Time { return t0 }))
	var specs []gone.RuleSpec
	var want []string
	// Mixed case and digits: byte order puts "/B" before "/a".
	for i, name := range []string{"a", "B", "z", "Z", "0", "a-b", "a.b", "A_b", "b~"} {
		for j := range 20 {
			s := RuleInState(fmt.Sprintf("/%s/%d", name, j), j%4 == 0, i+j, t0)
			specs = append(specs, s)
			want = append(want, s.RuleKey.ID())
		}
	}
	slices.Sort(want)
	admin := gone.Caller{Name: "ops", Scopes: []gone.Scope{gone.ScopeAdmin}}
	if _, err := svc.SetRules(ctx, admin, specs, nil); err != nil {
		t.Fatalf("SetRules: %v", err)
	}
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		recs, next, err := svc.RulesPage(ctx, after, 7)
		if err != nil {
			t.Fatalf("RulesPage(%q, 7): %v", after, err)
		}
		for _, r := range recs {
			got = append(got, r.ID)
		}
		if next == "" {
			break
		}
		if pages > len(want) {
			t.Fatalf("no last page after %d pages", pages)
		}
		after = next
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged rules, 7 a page:\n got %q\nwant %q (every rule once, in byte order)", got, want)
	}
}

// RuleInState returns a rule for path in one of the five states a rule can
// be in at now, picked by i: retired, moved, unavailable for an hour,
// soft-removed, or expiring tomorrow (live today). Tests that page through
// rules vary i, so that a page merges the lists of every state.
func RuleInState(path string, prefix bool, i int, now time.Time) gone.RuleSpec {
	s := gone.RuleSpec{RuleKey: gone.RuleKey{Path: path, Prefix: prefix}, Action: gone.RuleGone}
	switch i % 5 {
	case 1:
		s.Action, s.To = gone.RuleMoved, "/new"
	case 2:
		s.Action, s.At = gone.RuleUnavailable, now.Add(time.Hour)
	case 3:
		s.Action = gone.RuleRemoved
	case 4:
		s.At = now.Add(24 * time.Hour)
	}
	return s
}
