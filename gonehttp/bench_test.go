package gonehttp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/sqlite"
)

// benchRules loads n rules (a tenth prefixes) from a real SQLite file.
func benchRules(b *testing.B, n int) *gonehttp.Rules {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "gone.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	svc := gone.NewService(store, demo.Config())
	specs := make([]gone.RuleSpec, n)
	for i := range specs {
		specs[i] = gone.RuleSpec{RuleKey: gone.RuleKey{Path: fmt.Sprintf("/old/page-%d", i)}, Action: gone.RuleGone}
		if i%10 == 9 {
			specs[i].RuleKey = gone.RuleKey{Path: fmt.Sprintf("/old-section-%d/", i), Prefix: true}
		}
	}
	if _, err := svc.SetRules(ctx, gone.Caller{Name: "bench", Scopes: []gone.Scope{gone.ScopeAdmin}}, specs, nil); err != nil {
		b.Fatal(err)
	}
	rules, err := gonehttp.Load(ctx, svc)
	if err != nil {
		b.Fatal(err)
	}
	return rules
}

// The handler's own cost per request, without the network: what a rule's
// answer adds above net/http. Compare with BenchmarkFixedBody.
func BenchmarkRuleAnswer(b *testing.B) {
	rules := benchRules(b, 10_000)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { b.Fatal("passed through") })
	h := gonehttp.Handler(next, rules)
	for _, path := range []string{"/old/page-5000", "/old-section-5009/a/b"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest("GET", path, nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 410 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

func BenchmarkFixedBody(b *testing.B) {
	body := []byte(`{"type":"/problems/gone","title":"Gone","status":410}` + "\n")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.Header().Set("Cache-Control", "max-age=86400")
		w.WriteHeader(http.StatusGone)
		w.Write(body)
	})
	req := httptest.NewRequest("GET", "/old/page-5000", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
	}
}

// BenchmarkPassThroughCheck is what a path without a rule pays before it
// goes to the upstream: normalization and the table lookup.
func BenchmarkPassThroughCheck(b *testing.B) {
	rules := benchRules(b, 10_000)
	h := gonehttp.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), rules)
	req := httptest.NewRequest("GET", "/live/page", nil)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}
