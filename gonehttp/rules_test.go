package gonehttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/internal/pgtest"
	"github.com/gonehttp/gone/postgres"
	"github.com/gonehttp/gone/sqlite"
)

// Two instances over one database: a change made through one is answered
// by the other after its next Sync (its poll), and at once by the first.
func TestSyncAcrossInstances(t *testing.T) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "gone.db")
		testSync(t, func() gone.Store {
			s, err := sqlite.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.Schema(t)
		testSync(t, func() gone.Store {
			s, err := postgres.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
}

func testSync(t *testing.T, openStore func() gone.Store) {
	ctx := context.Background()
	open := func() *gone.Service {
		s := openStore()
		t.Cleanup(func() { s.Close() })
		return gone.NewService(s, demo.Config())
	}
	a, b := open(), open()
	admin := gone.Caller{Name: "ops", Scopes: []gone.Scope{gone.ScopeAdmin}}
	// Some history first, so the newest sequence number is not 0 or 1.
	for _, p := range []string{"/x1", "/x2", "/x3"} {
		if _, _, err := a.SetRule(ctx, admin, gone.RuleSpec{RuleKey: gone.RuleKey{Path: p}, Action: gone.RuleGone}); err != nil {
			t.Fatal(err)
		}
	}
	ra, err := gonehttp.Load(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := gonehttp.Load(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(299) })
	status := func(rules *gonehttp.Rules, path string) int {
		w := httptest.NewRecorder()
		gonehttp.Handler(upstream, rules).ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w.Code
	}
	if got := status(rb, "/x2"); got != 410 {
		t.Errorf("B: /x2 loaded at start: %d, want 410", got)
	}
	spec := gone.RuleSpec{RuleKey: gone.RuleKey{Path: "/promo/", Prefix: true}, Action: gone.RuleGone}
	if _, _, err := a.SetRule(ctx, admin, spec); err != nil {
		t.Fatal(err)
	}
	if got := status(ra, "/promo/summer"); got != 410 {
		t.Errorf("A, which made the change: %d, want 410 at once", got)
	}
	if got := status(rb, "/promo/summer"); got != 299 {
		t.Errorf("B before its poll: %d, want the upstream (it has not looked yet)", got)
	}
	if err := rb.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := status(rb, "/promo/summer"); got != 410 {
		t.Errorf("B after its poll: %d, want 410", got)
	}
	// Reload reads every rule again: a change B has not synced arrives.
	moved := gone.RuleSpec{RuleKey: gone.RuleKey{Path: "/old"}, Action: gone.RuleMoved, To: "/new"}
	if _, _, err := a.SetRule(ctx, admin, moved); err != nil {
		t.Fatal(err)
	}
	if err := rb.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := status(rb, "/old"); got != 308 {
		t.Errorf("B after Reload: %d, want 308", got)
	}
	if rb.Len() != 5 {
		t.Errorf("B holds %d rules, want 5", rb.Len())
	}
}
