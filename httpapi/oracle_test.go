package httpapi_test

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/edge"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/demotest"
	"github.com/gonehttp/gone/metrics"
	"github.com/gonehttp/gone/readcache"
	"github.com/gonehttp/gone/sqlite"
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

// metricsWorld is the demo world as `gone serve` wires it for metrics: the
// store timed, the read cache counted, the trash and tombstones counted at
// scrape time, and the API's own counters, all in one registry.
func metricsWorld(t *testing.T) (h http.Handler, reg *prometheus.Registry, writer string) {
	t.Helper()
	ctx := context.Background()
	raw, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	reg = prometheus.NewRegistry()
	cache := readcache.New(metrics.InstrumentStore(raw, reg), readcache.DefaultMaxEntries, true)
	metrics.RegisterCache(reg, cache)
	svc := gone.NewService(cache, demo.Config(), gone.WithClock(func() time.Time { return demotest.Now }))
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	// The counts read the raw store: `gone serve` times their List calls
	// too, but a scrape's own calls land in the snapshots below at random
	// (Gather collects concurrently) and say nothing about a read.
	reg.MustRegister(metrics.NewCounts(raw, svc.Config(), svc.Now))
	// Soft-deleted and retired ids, past the cache as a long-running
	// server would hold them; their ids are as long as the never-existed
	// ones, so no size differs by the id alone.
	now := demotest.Now.Add(-time.Hour)
	err = raw.Update(ctx, func(tx gone.Tx) error {
		for _, r := range []*gone.Record{
			{Collection: "users", ID: "del0", Data: []byte(`{"name":"Someone"}`), Version: 2, CreatedAt: now, UpdatedAt: now,
				DeletedAt: now, RestorableUntil: now.Add(30 * 24 * time.Hour), DeletedBy: "admin"},
			{Collection: "accounts", ID: "del0", Data: []byte(`{"plan":"pro"}`), Version: 2, CreatedAt: now, UpdatedAt: now,
				DeletedAt: now, RestorableUntil: now.Add(7 * 24 * time.Hour), DeletedBy: "admin"},
			{Collection: "accounts", ID: "ret0", Version: 2, CreatedAt: now, UpdatedAt: now, DeletedAt: now, DeletedBy: "admin",
				Reason: "Closed after fraud investigation"},
		} {
			if err := tx.Put(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	writer, _, err = svc.CreateToken(ctx, gone.Caller{Name: "admin", Scopes: []gone.Scope{gone.ScopeAdmin}},
		gone.TokenRequest{Name: "writer", Scopes: []gone.Scope{gone.ScopeWrite}})
	if err != nil {
		t.Fatal(err)
	}
	tokens := httpapi.NewTokens()
	tokens.Add(demotest.AdminToken, "admin", true)
	tokens.Add(demotest.ReaderToken, "reader", false)
	api := httpapi.NewServer(slog.New(slog.DiscardHandler), svc, tokens, httpapi.WithMetrics(reg), httpapi.WithMemos(cache))
	return edge.Handler(api, edge.Config{Metrics: metrics.NewHTTP(reg)}), reg, writer
}

// snapshot reads every series of reg: a counter's or a gauge's value, a
// histogram's count of observations. A histogram's sum and buckets are
// time, which TestNoTimingOracle weighs; here only what a count can say.
func snapshot(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := f.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.Counter != nil:
				out[key] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				out[key] = m.GetGauge().GetValue()
			case m.Histogram != nil:
				out[key+"_count"] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

// moved is what changed between two snapshots.
func moved(before, after map[string]float64) map[string]float64 {
	d := map[string]float64{}
	for k, v := range after {
		if v != before[k] {
			d[k] = v - before[k]
		}
	}
	for k, v := range before {
		if _, ok := after[k]; !ok {
			d[k] = -v
		}
	}
	return d
}

// Promise (invariant 7): no metric tells apart what the answer does not.
// Every read of the oracle suite (anonymous, with a read token, on a
// full-disclosure and on a concealing collection, first from the store and
// again from memory), and every refused write of a write token that reads
// the id as never existed, is done once for a hidden id and once for an id
// that never existed, and the metrics are read around each: whatever moved
// must move alike.
func TestMetricsTellNothingTheAnswerDoesNot(t *testing.T) {
	h, reg, writer := metricsWorld(t)
	type oracleCase struct {
		name, method, hidden, never, token string
		body                               string
		header                             map[string]string
	}
	cases := []oracleCase{
		{name: "soft-deleted, anonymous", method: "GET", hidden: "/api/users/del0", never: "/api/users/nev0", token: ""},
		{name: "soft-deleted, read token", method: "GET", hidden: "/api/users/del0", never: "/api/users/nev0", token: demotest.ReaderToken},
		{name: "soft-deleted, HEAD", method: "HEAD", hidden: "/api/users/del0", never: "/api/users/nev0", token: ""},
		{name: "concealed trash, read token", method: "GET", hidden: "/api/accounts/del0", never: "/api/accounts/nev0", token: demotest.ReaderToken},
		{name: "concealed retired, read token", method: "GET", hidden: "/api/accounts/ret0", never: "/api/accounts/nev1", token: demotest.ReaderToken},
		{name: "concealed retired, HEAD", method: "HEAD", hidden: "/api/accounts/ret0", never: "/api/accounts/nev1", token: demotest.ReaderToken},
		{name: "concealed retired, PATCH", method: "PATCH", hidden: "/api/accounts/ret0", never: "/api/accounts/nev1", token: writer, body: `{}`},
		{name: "concealed trash, DELETE with If-Match", method: "DELETE", hidden: "/api/accounts/del0", never: "/api/accounts/nev0", token: writer,
			header: map[string]string{"If-Match": `"9"`}},
		{name: "soft-deleted, PATCH", method: "PATCH", hidden: "/api/users/del0", never: "/api/users/nev0", token: writer, body: `{"a":1}`},
	}
	read := func(c oracleCase, path string) (int, map[string]float64) {
		before := snapshot(t, reg)
		r := httptest.NewRequest(c.method, path, strings.NewReader(c.body))
		if c.body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		if c.token != "" {
			r.Header.Set("Authorization", "Bearer "+c.token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Code, moved(before, snapshot(t, reg))
	}
	for _, c := range cases {
		for _, pass := range []string{"first read", "repeated read"} {
			hs, hm := read(c, c.hidden)
			ns, nm := read(c, c.never)
			if hs != http.StatusNotFound || ns != http.StatusNotFound {
				t.Fatalf("%s, %s: %s %s = %d and %s = %d, want 404 and 404", c.name, pass, c.method, c.hidden, hs, c.never, ns)
			}
			if len(nm) == 0 {
				t.Fatalf("%s, %s: no metric moved for %s; the test sees nothing", c.name, pass, c.never)
			}
			for _, k := range slices.Sorted(maps.Keys(mergeKeys(hm, nm))) {
				if hm[k] != nm[k] {
					t.Errorf("%s, %s: %s moved by %v for %s and by %v for %s, which answer alike", c.name, pass, k, hm[k], c.hidden, nm[k], c.never)
				}
			}
		}
	}
}

func mergeKeys(a, b map[string]float64) map[string]bool {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return m
}
