package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/internal/demotest"
)

// softDeleted puts n soft-deleted users (del0…) in the store in one
// transaction, past the cache, as a long-running server would hold them.
func softDeleted(t testing.TB, w *demotest.World, n int) {
	t.Helper()
	now := demotest.Now.Add(-time.Hour)
	err := w.Store.Update(context.Background(), func(tx gone.Tx) error {
		for i := range n {
			err := tx.Put(context.Background(), &gone.Record{
				Collection: "users", ID: fmt.Sprintf("del%d", i), Data: []byte(`{"name":"Someone","email":"someone@example.com"}`),
				Version: 2, CreatedAt: now, UpdatedAt: now, DeletedAt: now, RestorableUntil: now.Add(30 * 24 * time.Hour), DeletedBy: "admin",
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Promise: a soft-deleted id and one that never existed take the same way
// through the read path: both are looked up in the store the first time,
// both answered from memory after that. No membership filter lets "never
// existed" skip the store and so answer measurably faster.
func TestSoftDeletedAndNeverExistedTakeTheSamePath(t *testing.T) {
	w := demotest.New(t)
	softDeleted(t, w, 1)
	h := w.Handler(nil)
	st := w.Cache.Stats()
	for _, path := range []string{"/api/users/del0", "/api/users/never0"} {
		misses, hits := st.Misses.Load(), st.Hits.Load()
		for range 2 {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			if rec.Code != http.StatusNotFound {
				t.Fatalf("GET %s: %d, want 404", path, rec.Code)
			}
		}
		if st.Misses.Load()-misses != 1 || st.Hits.Load()-hits != 1 {
			t.Errorf("GET %s twice: %d store lookups and %d answers from memory, want 1 and 1",
				path, st.Misses.Load()-misses, st.Hits.Load()-hits)
		}
	}
}

// The timing promise itself: median latency of 10,000 reads of soft-deleted
// ids and 10,000 of never-existed ids. Repeated reads (from memory) must be
// within 10%. First reads are store lookups, where a row read costs more
// than an index miss (about 15% on SQLite, as before the cache existed):
// their gap is logged, not checked; docs/performance.md explains the trade.
// It measures wall-clock time, so it runs only when asked (GONE_TIMING=1,
// as bench/oracle.sh does), on a quiet machine.
func TestNoTimingOracle(t *testing.T) {
	if os.Getenv("GONE_TIMING") != "1" {
		t.Skip("measures time; run with GONE_TIMING=1 (bench/oracle.sh)")
	}
	const n = 10_000
	w := demotest.New(t)
	softDeleted(t, w, n)
	h := w.UncheckedHandler(nil) // the OpenAPI check would dominate the timing
	time1 := func(path string) time.Duration {
		r := httptest.NewRequest("GET", path, nil)
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, r)
		d := time.Since(start)
		if rec.Code != http.StatusNotFound {
			t.Fatalf("GET %s: %d, want 404", path, rec.Code)
		}
		return d
	}
	for _, pass := range []struct {
		name  string
		check bool
	}{{"first reads (store)", false}, {"repeated reads (memory)", true}} {
		del, never := make([]time.Duration, n), make([]time.Duration, n)
		for i := range n {
			// Interleaved, alternating which goes first, so drift in
			// the machine's speed hits both alike.
			dp, np := fmt.Sprintf("/api/users/del%d", i), fmt.Sprintf("/api/users/never%d", i)
			if i%2 == 0 {
				del[i], never[i] = time1(dp), time1(np)
			} else {
				never[i], del[i] = time1(np), time1(dp)
			}
		}
		md, mn := median(del), median(never)
		t.Logf("%s: median soft-deleted %v, never existed %v (%+.1f%%)", pass.name, md, mn, 100*(float64(md)-float64(mn))/float64(mn))
		if ratio := float64(md) / float64(mn); pass.check && (ratio > 1.1 || ratio < 1/1.1) {
			t.Errorf("%s: medians %v (soft-deleted) and %v (never existed) differ by more than 10%%", pass.name, md, mn)
		}
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
