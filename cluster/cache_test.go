package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/pgtest"
	"github.com/gonehttp/gone/postgres"
	"github.com/gonehttp/gone/readcache"
)

// cachedInstance is one gone instance as `gone serve` runs it over
// PostgreSQL: a read cache in front of its own pool, fed by LISTEN.
type cachedInstance struct {
	svc   *gone.Service
	cache *readcache.Store
	app   string // application_name of its connections, to find its listener
}

var admin = gone.Caller{Name: "admin", Scopes: []gone.Scope{gone.ScopeAdmin}}

func newCachedPair(t *testing.T) (a, b *cachedInstance) {
	t.Helper()
	dsn := pgtest.Schema(t)
	mk := func(name string) *cachedInstance {
		app := fmt.Sprintf("gone-cache-test-%s-%d", name, time.Now().UnixNano())
		store, err := postgres.Open(context.Background(), dsn+"&application_name="+app)
		if err != nil {
			t.Fatal(err)
		}
		in := &cachedInstance{cache: readcache.New(store, 1000, false), app: app}
		in.svc = gone.NewService(in.cache, demo.Config())
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- store.Follow(ctx, in.cache) }()
		t.Cleanup(func() { cancel(); <-done; store.Close() })
		waitUntil(t, name+" follows", in.cache.Trusted)
		return in
	}
	return mk("A"), mk("B")
}

func (in *cachedInstance) answer(t *testing.T, id string) gone.Answer {
	t.Helper()
	p, _ := in.svc.Config().Policy("promotions")
	d, err := in.svc.Decide(context.Background(), gone.Caller{}, p, id)
	if err != nil && !gone.IsNotFound(err) {
		t.Fatalf("read %s: %v", id, err)
	}
	return d.Answer
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// Promise: another instance answers the new state within a stated bound.
// Each trial creates an id on A, waits until B's cache holds it live,
// deletes it on A and times how long B keeps answering 200 from memory.
// Every trial must converge (within 5 s, or the test fails as stale). The
// bound itself (50 ms at the 99th percentile, over 1,000 trials) is wall-
// clock time, which a shared CI machine cannot promise, so it is checked
// only when asked: GONE_TIMING=1 (bench/coherence.sh); otherwise 200
// trials run and the lags are logged.
func TestDeleteThenReadAcrossCachedInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("many trials")
	}
	trials, timing := 200, os.Getenv("GONE_TIMING") == "1"
	if timing {
		trials = 1000
	}
	a, b := newCachedPair(t)
	ctx := context.Background()
	lags := make([]time.Duration, 0, trials)
	for i := range trials {
		id := fmt.Sprintf("lag-%d", i)
		if _, _, err := a.svc.Put(ctx, admin, "promotions", id, json.RawMessage(`{}`), gone.Preconditions{}); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "B sees the create", func() bool { return b.answer(t, id) == gone.AnswerOK })
		// From B's memory now: the read that saw the create may have
		// filled the cache before the create's own notification reached
		// B and dropped it again, so read until a read is a hit.
		waitUntil(t, "B answers the id from memory", func() bool {
			before := b.cache.Stats().Hits.Load()
			return b.answer(t, id) == gone.AnswerOK && b.cache.Stats().Hits.Load() > before
		})
		if _, err := a.svc.Delete(ctx, admin, "promotions", id, gone.DeleteOptions{}, gone.Preconditions{}); err != nil {
			t.Fatal(err)
		}
		acked := time.Now()
		for b.answer(t, id) != gone.AnswerGone {
			if time.Since(acked) > 5*time.Second {
				t.Fatalf("trial %d: B still answers the deleted id as live after 5 s", i)
			}
			time.Sleep(100 * time.Microsecond)
		}
		lags = append(lags, time.Since(acked))
	}
	slices.Sort(lags)
	p50, p99, worst := lags[len(lags)/2], lags[len(lags)*99/100], lags[len(lags)-1]
	t.Logf("%d delete-then-read trials across two instances: lag p50 %v, p99 %v, max %v", len(lags), p50, p99, worst)
	if timing && p99 > 50*time.Millisecond {
		t.Errorf("p99 lag %v exceeds the 50 ms bound (max %v)", p99, worst)
	}
	if st := b.cache.Stats(); st.Hits.Load() < int64(trials) {
		t.Errorf("B answered only %d reads from memory: the trials did not exercise the cache", st.Hits.Load())
	}
}

// Promise: when the change feed is lost, the instance reads the store
// instead of trusting memory, and trusts it again only after it follows
// anew (with an emptied cache, since notifications sent meanwhile are lost).
func TestLostFeedFallsBackToTheStore(t *testing.T) {
	a, b := newCachedPair(t)
	ctx := context.Background()
	if _, _, err := a.svc.Put(ctx, admin, "promotions", "feed", json.RawMessage(`{}`), gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "B sees the create", func() bool { return b.answer(t, "feed") == gone.AnswerOK })
	b.answer(t, "feed") // cached on B

	// Cut B's listener from the server side, as a restart or a network
	// failure would.
	conn, err := pgx.Connect(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1 AND query ILIKE 'LISTEN%'`, b.app).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("terminate B's listener: %d terminated, %v", n, err)
	}
	waitUntil(t, "B distrusts its memory", func() bool { return !b.cache.Trusted() })
	if _, err := a.svc.Delete(ctx, admin, "promotions", "feed", gone.DeleteOptions{}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	// Whether B has reconnected yet or not, it must not answer from the
	// stale memory: either it reads the store, or its cache was emptied.
	if got := b.answer(t, "feed"); got != gone.AnswerGone {
		t.Fatalf("B after the delete, feed lost: %q, want gone", got)
	}
	waitUntil(t, "B follows again", b.cache.Trusted)
	if got := b.answer(t, "feed"); got != gone.AnswerGone {
		t.Fatalf("B after it follows again: %q, want gone", got)
	}
}

// Promise 1 with kept answers: instance B replays the answer it keeps
// for an anonymous GET, and a delete acknowledged by A still reaches B's
// HTTP answers, since the feed drops the record and the answer together.
func TestKeptAnswerDroppedAcrossInstances(t *testing.T) {
	a, b := newCachedPair(t)
	h := httpapi.NewServer(slog.New(slog.DiscardHandler), b.svc, httpapi.NewTokens(), httpapi.WithMemos(b.cache))
	get := func(id string) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/api/promotions/"+id, nil))
		return w.Code
	}
	ctx := context.Background()
	for i := range 20 {
		id := fmt.Sprintf("kept-%d", i)
		if _, _, err := a.svc.Put(ctx, admin, "promotions", id, json.RawMessage(`{}`), gone.Preconditions{}); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "B answers the create", func() bool { return get(id) == 200 })
		// The create's own notification may still be on its way and drop
		// what B keeps: read until B keeps an answer.
		waitUntil(t, "B keeps the answer", func() bool {
			get(id)
			m, _, _ := b.cache.Memo("promotions", id)
			return m != nil
		})
		if get(id) != 200 {
			t.Fatalf("trial %d: the replayed answer is not 200", i)
		}
		if _, err := a.svc.Delete(ctx, admin, "promotions", id, gone.DeleteOptions{}, gone.Preconditions{}); err != nil {
			t.Fatal(err)
		}
		// promotions delete permanently: 410 once B hears of it.
		waitUntil(t, "B answers the delete over HTTP", func() bool { return get(id) == 410 })
	}
}
