package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/storetest"
)

// seedRules sets n rules in every state a rule can be in (retired,
// expiring, moved, unavailable, soft-removed), exact and prefix, so that
// a page merges the lists of every state.
func seedRules(t *testing.T, svc *gone.Service, n int) {
	t.Helper()
	now := svc.Now()
	specs := make([]gone.RuleSpec, n)
	for i := range specs {
		specs[i] = storetest.RuleInState(fmt.Sprintf("/p/%04d", i), i%3 == 0, i, now)
	}
	admin := gone.Caller{Name: "test", Scopes: []gone.Scope{gone.ScopeAdmin}}
	if _, err := svc.SetRules(context.Background(), admin, specs, nil); err != nil {
		t.Fatal(err)
	}
}

type rulesPage struct {
	Rules []struct {
		Key string `json:"key"`
	} `json:"rules"`
	Next string `json:"next"`
}

// pageRules follows next from the first page of GET /rules?query and
// returns every key in the order served, and how many pages it took.
func (e *env) pageRules(query url.Values) ([]string, int) {
	e.t.Helper()
	var keys []string
	for pages := 1; ; pages++ {
		w := e.admin("GET", "/rules?"+query.Encode(), "")
		must(e.t, w, 200, "GET /rules?"+query.Encode())
		var p rulesPage
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			e.t.Fatal(err)
		}
		for _, r := range p.Rules {
			keys = append(keys, r.Key)
		}
		if p.Next == "" {
			return keys, pages
		}
		if pages > 1000 {
			e.t.Fatalf("no last page after %d pages", pages)
		}
		query.Set("cursor", p.Next)
	}
}

func TestRulesPagesEveryRuleOnceInOrder(t *testing.T) {
	e := newEnv(t)
	seedRules(t, e.svc, 300)
	recs, err := e.svc.Rules(context.Background())
	if err != nil || len(recs) != 300 {
		t.Fatalf("Rules() = %d, %v; want 300", len(recs), err)
	}
	var want []string
	for _, r := range recs {
		k, _ := gone.ParseRuleID(r.ID)
		want = append(want, k.String())
	}
	for _, c := range []struct {
		limit string
		pages int
	}{{"", 6}, {"7", 43}, {"300", 1}, {"500", 1}, {"299", 2}} {
		q := url.Values{}
		if c.limit != "" {
			q.Set("limit", c.limit)
		}
		got, pages := e.pageRules(q)
		if pages != c.pages {
			t.Errorf("limit %q: %d pages, want %d (next only when more rules follow)", c.limit, pages, c.pages)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("limit %q: paged keys differ from the rules in key order:\n got %v\nwant %v", c.limit, got, want)
		}
	}
	// Exact rules come before prefix rules, each by path.
	if want[0] != "/p/0001" || want[len(want)-1] != "/p/0297*" {
		t.Errorf("order: first %s, last %s; want /p/0001 then … /p/0297*", want[0], want[len(want)-1])
	}
}

func TestRulesRefusesBadLimitAndCursor(t *testing.T) {
	e := newEnv(t)
	seedRules(t, e.svc, 20)
	before := e.admin("GET", "/rules?limit=500", "").Body.String()
	events, _ := e.svc.Audit(context.Background(), gone.AuditQuery{})
	for _, q := range []string{
		"limit=0", "limit=-1", "limit=abc", "limit=1.5", "limit=501", "limit=",
		"cursor=!!!", "cursor=" + base64.RawURLEncoding.EncodeToString([]byte("blog")),
		"cursor=" + base64.RawURLEncoding.EncodeToString([]byte("=relative")),
		"limit=5&cursor=%3D%2Fp",
	} {
		w := e.admin("GET", "/rules?"+q, "")
		if q == "limit=" {
			// An empty limit is no limit, as in collection listings.
			must(t, w, 200, "GET /rules?"+q)
			continue
		}
		must(t, w, 400, "GET /rules?"+q)
		if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("GET /rules?%s: Content-Type %q, want application/problem+json", q, ct)
		}
		if m := members(t, w); m["status"] != float64(400) {
			t.Errorf("GET /rules?%s: problem status %v", q, m["status"])
		}
	}
	if after := e.admin("GET", "/rules?limit=500", "").Body.String(); after != before {
		t.Errorf("the rules changed after refused requests")
	}
	if again, _ := e.svc.Audit(context.Background(), gone.AuditQuery{}); len(again) != len(events) {
		t.Errorf("audit has %d events after refused requests, want %d", len(again), len(events))
	}
}
