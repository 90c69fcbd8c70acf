// Package readcache keeps recently read records, and the ids the store does
// not hold, in memory in front of a gone.Store, so a read of a hot id costs
// no store lookup.
//
// It caches records, never answers: gone.Decide still runs on every read
// with the current time, so an expiry or a trash window passes at its exact
// second whether the record came from memory or from the store.
//
// Coherence. Every Update made through the cache drops the ids it wrote
// before Update returns, so a write acknowledged to a client is seen by
// every later read in this process. A fill that raced a write is refused
// (see shard.gen). Writes made elsewhere (another process on the same
// SQLite file, another instance on PostgreSQL) arrive through the stores'
// Follow methods (the cache is their gone.ChangeSink); while no feed
// vouches for the memory, the cache reads the store every time.
//
// Named tokens (gone.TokenStore) pass straight through, uncached.
package readcache

import (
	"context"
	"hash/maphash"
	"math"
	"sync"
	"sync/atomic"

	"github.com/gonehttp/gone"
)

// DefaultMaxEntries is the default bound on cached ids.
const DefaultMaxEntries = 100_000

// DefaultMaxBytes is the default bound on what the cached records and
// memos hold, as Size estimates it; whichever bound is reached first makes
// room. The Go heap may hold up to about twice what is live between two
// collections, which is why the default is well under the server's memory
// budget.
const DefaultMaxBytes = 24 << 20

// shards spreads the lock; a power of two.
const shards = 64

// Store is a gone.Store with a bounded in-memory cache of Get answers.
type Store struct {
	gone.Store
	shards [shards]shard
	seed   maphash.Seed
	// trusted is false while no feed vouches that memory is current: Get
	// then reads the store and fills nothing.
	trusted atomic.Bool
	stats   Stats
}

var (
	_ gone.Store      = (*Store)(nil)
	_ gone.Peeker     = (*Store)(nil)
	_ gone.ChangeSink = (*Store)(nil)
)

// Stats count what the cache did, for metrics and tests.
type Stats struct {
	Hits, Misses, Bypasses, Invalidations, Resets atomic.Int64
}

type key struct{ collection, id string }

// shard is one lock's worth of entries. gen grows on every invalidation in
// the shard: a fill is kept only if gen did not move between the lookup
// that missed and the fill, so a record read before a write committed can
// never be stored after that write dropped its id.
type shard struct {
	mu       sync.RWMutex
	gen      uint64
	max      int
	maxBytes int
	bytes    int // the entries' cost
	entries  map[key]*entry
	// evictions counts evictions since the hits were last halved.
	evictions int
}

// entry is one cached id: its record (nil: the store holds nothing) and
// what a reader derived from it (httpapi.Memos), dropped together.
type entry struct {
	rec  *gone.Record
	memo any
	// released says the record was let go when a memo was kept beside it:
	// most hot ids are then answered from the memo alone, and a read that
	// needs the record fetches it again (fill keeps the memo, which the
	// generation rule proves still current).
	released bool
	cost     int // recordCost + memoCost
	// hits counts reads answered from the entry, halved whenever the
	// shard has turned over: how eviction tells a hot id from one read
	// once.
	hits atomic.Uint32
}

// Option sets a bound of the cache.
type Option func(*Store)

// MaxBytes bounds what the cached records and memos hold, as recordCost
// and a memo's Size estimate it (DefaultMaxBytes unless set); n <= 0 drops
// the bound.
func MaxBytes(n int) Option {
	return func(c *Store) {
		per := n / shards
		if n <= 0 {
			per = math.MaxInt
		}
		for i := range c.shards {
			c.shards[i].maxBytes = per
		}
	}
}

// New wraps s with a cache of at most maxEntries ids (at least one per
// shard) and DefaultMaxBytes. trusted says whether memory may be used from
// the start: true when this process is the only writer; false when a
// store's Follow must first vouch (it calls Trust once it is following).
func New(s gone.Store, maxEntries int, trusted bool, opts ...Option) *Store {
	c := &Store{Store: s, seed: maphash.MakeSeed()}
	per := max(1, maxEntries/shards)
	for i := range c.shards {
		c.shards[i] = shard{max: per, maxBytes: DefaultMaxBytes / shards, entries: make(map[key]*entry)}
	}
	for _, o := range opts {
		o(c)
	}
	c.trusted.Store(trusted)
	return c
}

// evictSample is how many entries an eviction compares: the one read
// least often goes. A handful is enough for a sweep of ids read once
// (a crawler, a uniform load) to evict itself rather than the hot ids.
const evictSample = 5

// recordCost is about what a cached record holds in memory: the struct,
// the map slot and key, and its variable parts.
func recordCost(k key, r *gone.Record) int {
	n := 96 + len(k.collection) + len(k.id)
	if r != nil {
		n += 320 + len(r.Data) + len(r.Reason) + len(r.Alternative) + len(r.DeletedBy) + len(r.MovedTo)
	}
	return n
}

// memoCost is a memo's own estimate of its size, if it gives one.
func memoCost(m any) int {
	if s, ok := m.(interface{ Size() int }); ok {
		return s.Size()
	}
	return 0
}

// makeRoom evicts entries other than keep until the shard has room for
// extra more entries and bytes. Each eviction looks at evictSample
// entries from a random place (map order is random) and drops the one
// with the fewest hits; once as many evictions as entries have happened,
// every count is halved, so that being hot once does not protect an entry
// forever. An approximation of LFU that costs a hit one atomic add and
// keeps no list.
func (sh *shard) makeRoom(keep key, extra, bytes int) {
	for len(sh.entries)+extra > sh.max || sh.bytes+bytes > sh.maxBytes {
		var victim key
		var v *entry
		n := 0
		for k, e := range sh.entries {
			if k == keep {
				continue
			}
			if v == nil || e.hits.Load() < v.hits.Load() {
				victim, v = k, e
			}
			if n++; n == evictSample {
				break
			}
		}
		if v == nil {
			return
		}
		delete(sh.entries, victim)
		sh.bytes -= v.cost
		if sh.evictions++; sh.evictions >= len(sh.entries) {
			// Age: every entry's count is halved once the shard has
			// turned over, so a past burst does not keep an id forever.
			sh.evictions = 0
			for _, e := range sh.entries {
				e.hits.Store(e.hits.Load() / 2)
			}
		}
	}
}

// Bytes is the cost of what the cache holds now, as it estimates it.
func (c *Store) Bytes() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += sh.bytes
		sh.mu.RUnlock()
	}
	return n
}

func (c *Store) shard(k key) *shard {
	return &c.shards[maphash.String(c.seed, k.id)%shards]
}

// Stats returns the cache's counters.
func (c *Store) Stats() *Stats { return &c.stats }

// Len is the number of cached ids.
func (c *Store) Len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += len(sh.entries)
		sh.mu.RUnlock()
	}
	return n
}

// Peek answers from memory only: hit false when the id is not cached or
// the cache is not trusted (gone.Peeker).
func (c *Store) Peek(collection, id string) (*gone.Record, bool) {
	if !c.trusted.Load() {
		return nil, false
	}
	_, rec, hit, _ := c.cached(key{collection, id})
	return rec, hit
}

// cached reads k's record from memory, counting a hit: hit false when the
// cache holds no record for k (none, or one let go beside a memo), and a
// nil record for an id the store does not hold. gen is the shard's
// generation at that moment, for a fill after a miss.
func (c *Store) cached(k key) (sh *shard, rec *gone.Record, hit bool, gen uint64) {
	sh = c.shard(k)
	sh.mu.RLock()
	e, ok := sh.entries[k]
	hit = ok && !e.released
	if hit {
		rec = e.rec
		e.hits.Add(1)
	}
	gen = sh.gen
	sh.mu.RUnlock()
	if hit {
		c.stats.Hits.Add(1)
	}
	return sh, rec, hit, gen
}

// Memo returns what a reader kept beside the id's cached record, whether
// the record is cached, and the generation KeepMemo needs (httpapi.Memos).
// A memo found counts as a hit.
func (c *Store) Memo(collection, id string) (memo any, held bool, gen uint64) {
	k := key{collection, id}
	sh := c.shard(k)
	sh.mu.RLock()
	e, ok := sh.entries[k]
	if ok {
		memo, held = e.memo, !e.released
	}
	gen = sh.gen
	sh.mu.RUnlock()
	if !c.trusted.Load() {
		return nil, false, gen
	}
	if memo != nil {
		e.hits.Add(1)
		c.stats.Hits.Add(1)
	}
	return memo, held, gen
}

// KeepMemo sets the memo beside a cached record to update(old), unless the
// id left the cache or its shard saw an invalidation since gen was read,
// or memory is not trusted (httpapi.Memos).
func (c *Store) KeepMemo(collection, id string, gen uint64, update func(old any) any) {
	k := key{collection, id}
	sh := c.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.entries[k]
	if !ok || sh.gen != gen || !c.trusted.Load() {
		return
	}
	e.memo = update(e.memo)
	// An absence is released as a record is, though it holds nothing to
	// free: a later read that needs the record then goes to the store for
	// both alike, so a soft-deleted id and one that never existed count the
	// same hits, misses and store calls (docs/operations.md, metrics).
	e.rec, e.released = nil, true
	cost := recordCost(k, e.rec) + memoCost(e.memo)
	sh.makeRoom(k, 0, cost-e.cost)
	sh.bytes += cost - e.cost
	e.cost = cost
}

// Get answers from memory when it can, and from the store otherwise. The
// returned record is shared with other readers: callers must not modify it
// (gone.Store.Get's contract).
func (c *Store) Get(ctx context.Context, collection, id string) (*gone.Record, error) {
	if !c.trusted.Load() {
		c.stats.Bypasses.Add(1)
		return c.Store.Get(ctx, collection, id)
	}
	k := key{collection, id}
	sh, rec, hit, gen := c.cached(k)
	if hit {
		if rec == nil {
			return nil, notFound(collection, id)
		}
		return rec, nil
	}
	c.stats.Misses.Add(1)
	rec, err := c.Store.Get(ctx, collection, id)
	switch {
	case err == nil:
		c.fill(sh, k, gen, rec)
	case gone.IsNotFound(err):
		c.fill(sh, k, gen, nil)
	}
	// A store failure is never cached: the next read asks again.
	return rec, err
}

// fill stores rec under k unless the shard changed since gen was read or
// the cache stopped being trusted meanwhile.
func (c *Store) fill(sh *shard, k key, gen uint64, rec *gone.Record) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.gen != gen || !c.trusted.Load() {
		return
	}
	e := &entry{rec: rec}
	if old, ok := sh.entries[k]; ok {
		delete(sh.entries, k)
		sh.bytes -= old.cost
		if old.released {
			// A write since the memo was kept would have dropped the
			// entry, and none came since gen was read: the memo still
			// derives from this very record.
			e.memo = old.memo
			e.hits.Store(old.hits.Load())
		}
	}
	e.cost = recordCost(k, rec) + memoCost(e.memo)
	sh.makeRoom(k, 1, e.cost)
	sh.entries[k] = e
	sh.bytes += e.cost
}

// notFound is the error a cached absence answers with; callers only ever
// test its code.
func notFound(collection, id string) error {
	return gone.Errorf(gone.ENOTFOUND, "%s/%s does not exist.", collection, id)
}

// Update runs fn through the store and then drops every id fn wrote, before
// returning, whatever the outcome (a failed commit may still have landed).
func (c *Store) Update(ctx context.Context, fn func(gone.Tx) error) error {
	var written []key
	err := c.Store.Update(ctx, func(tx gone.Tx) error {
		written = written[:0] // the store may run fn again
		rt := &recordingTx{Tx: tx, written: &written}
		if b, ok := tx.(gone.BatchTx); ok {
			// Keep the store's batch statements available to fn.
			return fn(recordingBatchTx{rt, b})
		}
		return fn(rt)
	})
	for _, k := range written {
		c.Changed(k.collection, k.id)
	}
	return err
}

// recordingTx notes the ids a transaction writes.
type recordingTx struct {
	gone.Tx
	written *[]key
}

func (t *recordingTx) Put(ctx context.Context, r *gone.Record) error {
	*t.written = append(*t.written, key{r.Collection, r.ID})
	return t.Tx.Put(ctx, r)
}

// recordingBatchTx is recordingTx for a store whose Tx has batch
// statements (gone.BatchTx): PutMany notes its ids too.
type recordingBatchTx struct {
	*recordingTx
	batch gone.BatchTx
}

func (t recordingBatchTx) GetMany(ctx context.Context, collection string, ids []string) (map[string]*gone.Record, error) {
	return t.batch.GetMany(ctx, collection, ids)
}

func (t recordingBatchTx) PutMany(ctx context.Context, rs []*gone.Record) error {
	for _, r := range rs {
		*t.written = append(*t.written, key{r.Collection, r.ID})
	}
	return t.batch.PutMany(ctx, rs)
}

func (t recordingBatchTx) AppendAudits(ctx context.Context, es []gone.AuditEvent) error {
	return t.batch.AppendAudits(ctx, es)
}

// Changed drops one id: it was written, here or elsewhere.
func (c *Store) Changed(collection, id string) {
	k := key{collection, id}
	sh := c.shard(k)
	sh.mu.Lock()
	sh.gen++
	if e, ok := sh.entries[k]; ok {
		delete(sh.entries, k)
		sh.bytes -= e.cost
	}
	sh.mu.Unlock()
	c.stats.Invalidations.Add(1)
}

// Distrust stops using memory: anything may have changed and the feed can
// no longer say what. Reads go to the store until Trust.
func (c *Store) Distrust() {
	c.trusted.Store(false)
	c.reset()
}

// Trust drops everything cached and uses memory again: the feed is
// following changes from now on.
func (c *Store) Trust() {
	c.reset()
	c.trusted.Store(true)
}

// Trusted reports whether memory is in use (a feed vouches for it).
func (c *Store) Trusted() bool { return c.trusted.Load() }

// Reset drops everything cached but stays trusted: the feed saw changes it
// cannot name one by one.
func (c *Store) Reset() { c.reset() }

func (c *Store) reset() {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		sh.gen++
		clear(sh.entries)
		sh.bytes = 0
		sh.mu.Unlock()
	}
	c.stats.Resets.Add(1)
}
