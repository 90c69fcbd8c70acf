package readcache_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/readcache"
	"github.com/gonehttp/gone/sqlite"
)

var admin = gone.Caller{Name: "admin", Scopes: []gone.Scope{gone.ScopeAdmin}}

// world is a service over a cache over a real SQLite file.
type world struct {
	svc   *gone.Service
	cache *readcache.Store
	raw   *sqlite.Store
	path  string
	now   time.Time
	mu    sync.Mutex
}

func newWorld(t testing.TB, maxEntries int) *world {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gone.db")
	raw, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	w := &world{raw: raw, path: path, now: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
	w.cache = readcache.New(raw, maxEntries, true)
	w.svc = gone.NewService(w.cache, demo.Config(), gone.WithClock(func() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }))
	return w
}

func (w *world) add(d time.Duration) { w.mu.Lock(); w.now = w.now.Add(d); w.mu.Unlock() }

func (w *world) read(t testing.TB, coll, id string) gone.Decision {
	t.Helper()
	p, _ := w.svc.Config().Policy(coll)
	d, err := w.svc.Decide(context.Background(), gone.Caller{}, p, id)
	if err != nil && !gone.IsNotFound(err) {
		t.Fatalf("Decide %s/%s: %v", coll, id, err)
	}
	return d
}

func (w *world) put(t testing.TB, coll, id, data string) *gone.Record {
	t.Helper()
	rec, _, err := w.svc.Put(context.Background(), admin, coll, id, json.RawMessage(data), gone.Preconditions{})
	if err != nil {
		t.Fatalf("PUT %s/%s: %v", coll, id, err)
	}
	return rec
}

// Promise: after a write is acknowledged, every later read on the same
// instance answers the new state, though the old one was cached.
func TestWriteThenReadSeesTheWrite(t *testing.T) {
	w := newWorld(t, 1000)
	if d := w.read(t, "users", "u1"); d.Answer != gone.AnswerNotFound {
		t.Fatalf("before: %q, want not_found", d.Answer)
	}
	w.read(t, "users", "u1") // a cached absence now
	w.put(t, "users", "u1", `{"v":1}`)
	if d := w.read(t, "users", "u1"); d.Answer != gone.AnswerOK || string(d.Record.Data) != `{"v":1}` {
		t.Fatalf("after PUT: %q %s, want ok {\"v\":1}", d.Answer, d.Record.Data)
	}
	w.put(t, "users", "u1", `{"v":2}`)
	if d := w.read(t, "users", "u1"); string(d.Record.Data) != `{"v":2}` {
		t.Fatalf("after second PUT: %s, want {\"v\":2}", d.Record.Data)
	}
	if _, err := w.svc.Delete(context.Background(), admin, "users", "u1", gone.DeleteOptions{Permanent: true}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	if d := w.read(t, "users", "u1"); d.Answer != gone.AnswerGone {
		t.Fatalf("after DELETE: %q, want gone", d.Answer)
	}
	if h := w.cache.Stats().Hits.Load(); h != 1 {
		t.Errorf("hits = %d, want 1 (the second read of the absent id)", h)
	}
}

// Promise, under concurrency: readers hammer the ids while a writer bumps
// them; after each acknowledged write, a read must see that version or a
// later one, never an older one.
func TestNoStaleReadAfterAckUnderLoad(t *testing.T) {
	w := newWorld(t, 1000)
	ids := []string{"a", "b", "c", "d"}
	for _, id := range ids {
		w.put(t, "users", id, `{"v":0}`)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				w.read(t, "users", ids[i%len(ids)])
			}
		}()
	}
	for i := 1; i <= 150; i++ {
		id := ids[i%len(ids)]
		rec := w.put(t, "users", id, fmt.Sprintf(`{"v":%d}`, i))
		if d := w.read(t, "users", id); d.Record == nil || d.Record.Version < rec.Version {
			t.Fatalf("write %d acknowledged version %d, then a read saw %+v", i, rec.Version, d.Record)
		}
	}
	cancel()
	wg.Wait()
}

// gatedStore lets a test hold a Get between its store lookup and its
// return, the window in which a write may commit and drop the id.
type gatedStore struct {
	gone.Store
	read, resume chan struct{}
}

func (g *gatedStore) Get(ctx context.Context, c, id string) (*gone.Record, error) {
	r, err := g.Store.Get(ctx, c, id)
	if g.read != nil {
		g.read <- struct{}{}
		<-g.resume
	}
	return r, err
}

// A read that fetched the old record before a write committed must not
// put it in the cache after the write dropped the id.
func TestFillThatRacedAWriteIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gone.db")
	raw, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	g := &gatedStore{Store: raw}
	c := readcache.New(g, 100, true)
	svc := gone.NewService(c, demo.Config())
	if _, _, err := svc.Put(context.Background(), admin, "users", "x", json.RawMessage(`{"v":"old"}`), gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	g.read, g.resume = make(chan struct{}), make(chan struct{})
	got := make(chan *gone.Record)
	go func() {
		r, _ := c.Get(context.Background(), "users", "x")
		got <- r
	}()
	<-g.read // the reader holds the old record
	if _, _, err := svc.Put(context.Background(), admin, "users", "x", json.RawMessage(`{"v":"new"}`), gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	close(g.resume)
	if r := <-got; string(r.Data) != `{"v":"old"}` {
		t.Fatalf("the racing read got %s, want the old record (it read before the write)", r.Data)
	}
	g.read = nil
	r, err := c.Get(context.Background(), "users", "x")
	if err != nil || string(r.Data) != `{"v":"new"}` {
		t.Fatalf("read after the write: %s %v, want the new record (the racing fill must be refused)", r.Data, err)
	}
}

// Promise: an expiry or a trash window changes the answer at its exact
// second although the record sits in memory.
func TestTimeDerivedStatesFlipAtTheSecondWhenCached(t *testing.T) {
	w := newWorld(t, 1000)
	w.put(t, "users", "e", `{}`)
	at := w.now.Add(time.Hour)
	if _, err := w.svc.SetLifecycle(context.Background(), admin, "users", "e", gone.LifecycleChange{
		ExpiresAt: gone.Optional[time.Time]{Set: true, Value: at}}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	w.put(t, "users", "s", `{}`)
	if _, err := w.svc.Delete(context.Background(), admin, "users", "s", gone.DeleteOptions{}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	w.read(t, "users", "e")
	w.read(t, "users", "s") // both cached now
	window := 30 * 24 * time.Hour
	w.add(time.Hour - time.Nanosecond)
	if d := w.read(t, "users", "e"); d.Answer != gone.AnswerOK {
		t.Fatalf("1ns before expiry: %q, want ok", d.Answer)
	}
	w.add(time.Nanosecond)
	if d := w.read(t, "users", "e"); d.Answer != gone.AnswerGone || !d.Expired {
		t.Fatalf("at expiry: %q, want gone (expired)", d.Answer)
	}
	w.add(window - time.Hour - time.Nanosecond)
	if d := w.read(t, "users", "s"); d.Answer != gone.AnswerNotFound || d.State != gone.StateDeleted {
		t.Fatalf("1ns before the trash window ends: %q %q, want not_found (deleted)", d.Answer, d.State)
	}
	w.add(time.Nanosecond)
	if d := w.read(t, "users", "s"); d.Answer != gone.AnswerGone {
		t.Fatalf("when the trash window ends: %q, want gone", d.Answer)
	}
	if w.cache.Stats().Misses.Load() != 2 {
		t.Errorf("misses = %d, want 2: the flips must come from memory", w.cache.Stats().Misses.Load())
	}
}

// The cache never holds more than its bound.
func TestBound(t *testing.T) {
	const bound = 128
	w := newWorld(t, bound)
	for i := range 1000 {
		w.read(t, "users", fmt.Sprintf("n%d", i))
	}
	if n := w.cache.Len(); n > bound || n < bound/2 {
		t.Fatalf("Len = %d after 1000 distinct ids, want at most %d (and most of it used)", n, bound)
	}
}

// Promise: a store failure is never cached and never hidden: with the
// cache distrusted (what a feed does when it fails), every read goes to the
// store, and a failing store answers 503.
func TestDistrustedCacheReadsTheStore(t *testing.T) {
	w := newWorld(t, 100)
	w.put(t, "users", "k", `{}`)
	w.read(t, "users", "k") // cached
	w.cache.Distrust()
	w.raw.Close()
	if d := w.read503(t, "users", "k"); d.Answer != gone.AnswerUnavailable {
		t.Fatalf("store closed, cache distrusted: %q, want unavailable", d.Answer)
	}
	if d := w.read503(t, "users", "never"); d.Answer != gone.AnswerUnavailable {
		t.Fatalf("store closed: %q for an unknown id, want unavailable", d.Answer)
	}
}

func (w *world) read503(t testing.TB, coll, id string) gone.Decision {
	p, _ := w.svc.Config().Policy(coll)
	d, _ := w.svc.Decide(context.Background(), gone.Caller{}, p, id)
	return d
}

// Promise: SQLite changed by another process. A second store on the same
// file stands for `gone import` or a second `gone serve`; the first one's
// cache must stop answering the old state once Follow has looked.
func TestAnotherProcessWriteIsSeen(t *testing.T) {
	w := newWorld(t, 100)
	w.cache.Distrust() // as serve starts it: untrusted until Follow looks
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.raw.Follow(ctx, w.cache, time.Millisecond) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "Follow trusts the cache", func() bool { return w.cache.Stats().Resets.Load() >= 2 })

	w.put(t, "users", "p", `{"v":"mine"}`)
	if d := w.read(t, "users", "p"); string(d.Record.Data) != `{"v":"mine"}` {
		t.Fatalf("own write: %s", d.Record.Data)
	}
	w.read(t, "users", "p") // from memory

	other, err := sqlite.Open(context.Background(), w.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	osvc := gone.NewService(other, demo.Config(), gone.WithClock(w.svc.Now))
	resets := w.cache.Stats().Resets.Load()
	if _, err := osvc.Delete(context.Background(), admin, "users", "p", gone.DeleteOptions{Permanent: true}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Follow sees the other process's commit", func() bool { return w.cache.Stats().Resets.Load() > resets })
	if d := w.read(t, "users", "p"); d.Answer != gone.AnswerGone {
		t.Fatalf("after another process deleted it: %q, want gone", d.Answer)
	}
	// Its own writes do not look foreign: no reset for them. Opening the
	// other store commits too, so Follow may still owe a reset for one of
	// the other process's commits: close it and let the count settle first.
	other.Close()
	resets = settle(w.cache)
	w.put(t, "users", "q", `{}`)
	time.Sleep(20 * time.Millisecond) // many looks
	if got := w.cache.Stats().Resets.Load(); got != resets {
		t.Errorf("own write caused %d resets, want 0", got-resets)
	}
}

// The feed failing (the store no longer answers) distrusts the cache.
func TestFollowFailureDistrusts(t *testing.T) {
	w := newWorld(t, 100)
	// As serve starts it: untrusted until Follow's first look succeeds, so
	// the look that fails below is one of a Follow that was following.
	w.cache.Distrust()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.raw.Follow(ctx, w.cache, time.Millisecond) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "Follow trusts the cache", w.cache.Trusted)
	w.put(t, "users", "k", `{}`)
	w.read(t, "users", "k")
	w.raw.Close()
	waitFor(t, "a failed look distrusts", func() bool {
		return w.read503(t, "users", "k").Answer == gone.AnswerUnavailable
	})
}

// settle waits until the cache's reset count has held still for 50 ms
// (fifty looks at Follow's 1 ms interval), and returns it.
func settle(c *readcache.Store) int64 {
	n, since := c.Stats().Resets.Load(), time.Now()
	for time.Since(since) < 50*time.Millisecond {
		time.Sleep(time.Millisecond)
		if m := c.Stats().Resets.Load(); m != n {
			n, since = m, time.Now()
		}
	}
	return n
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// A batch import through the cache keeps the store's batch statements and
// drops every id it wrote: reads after it see the imported data, though
// the old records were cached.
func TestBatchThroughTheCache(t *testing.T) {
	w := newWorld(t, 1000)
	w.put(t, "users", "b1", `{"v":"old"}`)
	w.read(t, "users", "b1")
	w.read(t, "users", "b2") // a cached absence
	if err := w.cache.Update(context.Background(), func(tx gone.Tx) error {
		if _, ok := tx.(gone.BatchTx); !ok {
			t.Error("the cache hid the store's batch statements from the transaction")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	res, err := w.svc.PutBatch(context.Background(), admin, "users", []gone.BatchRow{
		{ID: "b1", Data: json.RawMessage(`{"v":"new"}`)}, {ID: "b2", Data: json.RawMessage(`{"v":"new"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("row %d: %v", i, r.Err)
		}
	}
	for _, id := range []string{"b1", "b2"} {
		if d := w.read(t, "users", id); d.Answer != gone.AnswerOK || string(d.Record.Data) != `{"v":"new"}` {
			t.Errorf("%s after the batch: %q, want the imported data", id, d.Answer)
		}
	}
}

// TestMemoKeptOnlyBesideTheRecordItCameFrom checks httpapi.Memos's rule: a
// memo is kept beside a cached record unless a write (here or from another
// process) or a loss of trust came between Memo and KeepMemo, and it goes
// when the id changes.
func TestMemoKeptOnlyBesideTheRecordItCameFrom(t *testing.T) {
	w := newWorld(t, 1000)
	w.put(t, "users", "1", `{"n":1}`)
	set := func(v string) func(any) any { return func(any) any { return v } }
	memo := func() any { m, _, _ := w.cache.Memo("users", "1"); return m }

	_, _, gen := w.cache.Memo("users", "1")
	w.cache.KeepMemo("users", "1", gen, set("not cached yet"))
	if memo() != nil {
		t.Fatal("a memo was kept for an id the cache does not hold")
	}
	w.read(t, "users", "1")
	_, _, gen = w.cache.Memo("users", "1")
	w.cache.KeepMemo("users", "1", gen, set("v1"))
	if memo() != "v1" {
		t.Fatalf("memo = %v, want v1", memo())
	}

	_, _, gen = w.cache.Memo("users", "1")
	w.put(t, "users", "1", `{"n":2}`) // drops the id and its memo
	w.read(t, "users", "1")           // caches the new record
	w.cache.KeepMemo("users", "1", gen, set("derived from n=1"))
	if memo() != nil {
		t.Fatalf("a memo derived before a write was kept: %v", memo())
	}

	_, _, gen = w.cache.Memo("users", "1")
	w.cache.Changed("users", "1") // another process wrote it
	w.read(t, "users", "1")
	w.cache.KeepMemo("users", "1", gen, set("stale"))
	if memo() != nil {
		t.Fatal("a memo derived before another process's write was kept")
	}

	_, _, gen = w.cache.Memo("users", "1")
	w.cache.KeepMemo("users", "1", gen, set("v2"))
	w.cache.Distrust()
	if memo() != nil {
		t.Fatal("a memo was returned while the cache is not trusted")
	}
	w.cache.Trust()
	w.read(t, "users", "1")
	w.cache.KeepMemo("users", "1", gen, set("from before the distrust"))
	if memo() != nil {
		t.Fatal("a memo derived before the cache was distrusted was kept")
	}
}

// sized is a memo that states its size.
type sized int

func (s sized) Size() int { return int(s) }

// TestBoundBytes checks the byte bound: records and memos together stay
// under it (give or take the one entry each shard always keeps), and a
// memo makes room by evicting other ids.
func TestBoundBytes(t *testing.T) {
	const bound, slack = 32 << 10, 64 * 600 // 64 shards
	w := newWorld(t, 1_000_000)
	w.cache = readcache.New(w.raw, 1_000_000, true, readcache.MaxBytes(bound))
	w.svc = gone.NewService(w.cache, demo.Config())
	for i := range 2000 {
		w.read(t, "users", fmt.Sprintf("never-%d", i))
	}
	if b := w.cache.Bytes(); b > bound+slack || b < bound/2 {
		t.Fatalf("Bytes = %d after 2000 ids, want at most %d (and most of it used)", b, bound)
	}
	before := w.cache.Len()
	kept := 0
	for i := range 2000 {
		id := fmt.Sprintf("never-%d", i)
		if _, hit := w.cache.Peek("users", id); !hit {
			continue
		}
		_, _, gen := w.cache.Memo("users", id)
		w.cache.KeepMemo("users", id, gen, func(any) any { return sized(500) })
		kept++
	}
	if b, n := w.cache.Bytes(), w.cache.Len(); kept == 0 || b > bound+slack || n >= before {
		t.Fatalf("after %d memos: Bytes = %d (bound %d), Len = %d (was %d): memos must make room", kept, b, bound, n, before)
	}
}

// TestHotIDsSurviveASweep checks the eviction: a sweep of ids read once
// (a crawler, a uniform load) evicts itself, not the ids read again and
// again.
func TestHotIDsSurviveASweep(t *testing.T) {
	w := newWorld(t, 64*10)
	hot := make([]string, 64)
	for i := range hot {
		hot[i] = fmt.Sprintf("hot-%d", i)
		for range 5 {
			w.read(t, "users", hot[i])
		}
	}
	// Twice the cache's size: every entry turns over, and the counts are
	// halved twice on the way.
	for i := range 2 * 64 * 10 {
		w.read(t, "users", fmt.Sprintf("cold-%d", i))
	}
	kept := 0
	for _, id := range hot {
		if _, hit := w.cache.Peek("users", id); hit {
			kept++
		}
	}
	if kept < len(hot)*8/10 {
		t.Fatalf("%d of %d hot ids survived a sweep of ids read once", kept, len(hot))
	}
}

// TestMemoReleasesTheRecord checks that keeping a memo lets the record go
// (the entry costs less), that a read needing the record fetches it again
// without losing the memo, and that a write still drops both.
func TestMemoReleasesTheRecord(t *testing.T) {
	w := newWorld(t, 1000)
	w.put(t, "users", "1", `{"pad":"`+strings.Repeat("x", 500)+`"}`)
	w.read(t, "users", "1")
	before := w.cache.Bytes()
	_, held, gen := w.cache.Memo("users", "1")
	if !held {
		t.Fatal("the record was not cached by a read")
	}
	w.cache.KeepMemo("users", "1", gen, func(any) any { return sized(100) })
	if _, hit := w.cache.Peek("users", "1"); hit {
		t.Error("the record is still held beside its memo")
	}
	if after := w.cache.Bytes(); after >= before {
		t.Errorf("Bytes = %d after keeping a memo, %d before: the record was not let go", after, before)
	}
	if d := w.read(t, "users", "1"); d.Answer != gone.AnswerOK || d.Record == nil || d.Record.Version != 1 {
		t.Fatalf("read after the release: %+v", d)
	}
	if _, hit := w.cache.Peek("users", "1"); !hit {
		t.Error("the record was not cached again by the read that fetched it")
	}
	if m, held, _ := w.cache.Memo("users", "1"); m == nil || !held {
		t.Errorf("after the refetch: memo %v, held %v; want both", m, held)
	}
	w.put(t, "users", "1", `{"n":2}`)
	if m, _, _ := w.cache.Memo("users", "1"); m != nil {
		t.Error("a write left the memo of a released record")
	}
	if d := w.read(t, "users", "1"); d.Record == nil || d.Record.Version != 2 {
		t.Fatalf("read after the write: %+v", d.Record)
	}
}
