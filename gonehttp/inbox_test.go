package gonehttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/inbox"
	"github.com/gonehttp/gone/sqlite"
)

// TestNotFoundRecordsMisses: the paths a service answers with NotFound
// reach the 404 inbox (normalized, GET and HEAD only); the paths a rule
// answers and the ones the service serves do not.
func TestNotFoundRecordsMisses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := gone.NewService(store, demo.Config())
	if _, _, err := svc.SetRule(ctx, gone.Caller{Name: "test", Scopes: []gone.Scope{gone.ScopeAdmin}},
		gone.RuleSpec{RuleKey: gone.RuleKey{Path: "/products/retired"}, Action: gone.RuleGone}); err != nil {
		t.Fatal(err)
	}
	rec := inbox.NewRecorder(store, inbox.Options{FlushEvery: time.Hour})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); rec.Run(rctx) }()
	t.Cleanup(func() { cancel(); <-done })
	rules, err := gonehttp.Load(ctx, svc, gonehttp.WithMisses(rec))
	if err != nil {
		t.Fatal(err)
	}
	// The service knows one product; every other lookup fails.
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/products/1" {
			w.Write([]byte("product 1"))
			return
		}
		gonehttp.NotFound(w, r, rules)
	})
	h := gonehttp.Handler(app, rules)
	for _, tt := range []struct {
		method, target string
		want           int
	}{
		{"GET", "/products/1", 200},
		{"GET", "/products/2", 404},
		{"GET", "/%70roducts/2", 404}, // the same path, spelled otherwise
		{"HEAD", "/products/3", 404},
		{"DELETE", "/products/4", 404},    // not a GET: not counted
		{"GET", "/products/retired", 410}, // the rule answers
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(tt.method, tt.target, nil))
		if w.Code != tt.want {
			t.Fatalf("%s %s = %d, want %d", tt.method, tt.target, w.Code, tt.want)
		}
	}
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	es, err := store.Inbox(ctx, gone.InboxQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Path)
	}
	if want := []string{"/products/2", "/products/3"}; !slices.Equal(got, want) || es[0].Hits != 2 {
		t.Errorf("inbox = %+v, want %v with 2 hits on /products/2", es, want)
	}
}
