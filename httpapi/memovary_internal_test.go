package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/readcache"
	"github.com/gonehttp/gone/sqlite"
)

// The kept answers obey the answer's Vary, not a list of their own: a
// layer that makes a read's answer depend on a header the memo has never
// heard of (here X-Tenant) and says so in Vary is never replayed to a
// request that carries it, nor kept from one. (With the memo's own list,
// the tenant-b request below got the answer kept for no tenant.)
func TestMemoObeysTheAnswersVary(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cache := readcache.New(store, readcache.DefaultMaxEntries, true)
	svc := gone.NewService(cache, demo.Config())
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	// The record in the cache: the memo keeps only beside a held record.
	if _, err := svc.Decide(ctx, gone.Caller{}, mustPolicy(t, svc, "users"), "42"); err != nil {
		t.Fatal(err)
	}
	s := &server{svc: svc, memos: cache, prefix: "/api"}
	chainRuns := 0
	h := s.keep(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chainRuns++
		noteMemo(r, gone.Decision{Answer: gone.AnswerOK, Until: svc.Now().Add(time.Hour)})
		body := "tenant=" + r.Header.Get("X-Tenant")
		w.Header().Set("Vary", "Accept-Language, X-Tenant")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(body))
	}))
	get := func(tenant string) string {
		r := httptest.NewRequest("GET", "/api/users/42", nil)
		if tenant != "" {
			r.Header.Set("X-Tenant", tenant)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Body.String()
	}
	for i, c := range []struct{ tenant, want string }{
		{"a", "tenant=a"}, // kept from no one: it names a tenant
		{"", "tenant="},   // kept
		{"", "tenant="},   // replayed
		{"b", "tenant=b"}, // not the kept answer: it names a tenant
		{"a", "tenant=a"},
	} {
		if got := get(c.tenant); got != c.want {
			t.Errorf("request %d (X-Tenant %q): got %q, want %q", i, c.tenant, got, c.want)
		}
	}
	if chainRuns != 4 {
		t.Errorf("the chain ran %d times, want 4 (one replay, for the third request)", chainRuns)
	}
}

func mustPolicy(t *testing.T, svc *gone.Service, name string) gone.Policy {
	t.Helper()
	p, ok := svc.Config().Policy(name)
	if !ok {
		t.Fatalf("no collection %q", name)
	}
	return p
}
