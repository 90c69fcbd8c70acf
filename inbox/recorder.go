// Package inbox is gone's 404 inbox: the front doors (gone serve, gone
// proxy, the gonehttp middleware) tell a Recorder about the unknown paths
// they answer 404; the Recorder counts them in bounded memory and adds
// them to the store in batches; Inbox turns an entry into a 410 or 308
// rule, or an ignore pattern.
//
// Recording costs a 404 one non-blocking channel send: no lock, no store
// write, no classification on the request's path. When the queue is full
// the miss is dropped (and counted as dropped), so a flood cannot slow
// the answers, only the inbox's view of the flood.
package inbox

import (
	"context"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gonehttp/gone"
)

// MaxPathBytes is the longest path the inbox records; a longer one is no
// link a person followed, and is dropped.
const MaxPathBytes = 512

// MaxReferrerBytes is the longest referrer kept (longer ones are cut).
const MaxReferrerBytes = 256

// Defaults of Options.
const (
	DefaultCapacity   = 1000
	DefaultMaxStored  = 10_000
	DefaultFlushEvery = 10 * time.Second
	DefaultHalfLife   = time.Hour
	DefaultQueue      = 4096
	// minTracked is how many hits a path must get after taking a slot
	// from another before it reaches the store (see Counter.Take).
	minTracked = 2
)

// Options configures a Recorder. Zero fields take the defaults.
type Options struct {
	// Capacity is how many paths are counted in memory at once.
	Capacity int
	// MaxStored caps the entries in the store.
	MaxStored int
	// FlushEvery is how often the counts are added to the store (one
	// transaction each time) and the ignore patterns reread.
	FlushEvery time.Duration
	// HalfLife is how long it takes an in-memory count to halve.
	HalfLife time.Duration
	// Queue is how many misses may wait for the counter.
	Queue int
	// IsCrawler tells crawlers from people by User-Agent (see package
	// inbox/crawler); nil counts every caller as a person.
	IsCrawler func(userAgent string) bool
	Now       func() time.Time
	Log       *slog.Logger
}

// Recorder counts misses and adds them to the store. Run must be running
// for misses to be counted.
type Recorder struct {
	store gone.InboxStore
	opt   Options
	queue chan miss

	mu       sync.Mutex // guards counter, patterns and lastFlush
	counter  *Counter
	patterns Patterns
	decayed  time.Time

	dropped, ignored, flushes, stored atomic.Int64
}

// miss is one 404 waiting to be counted, or (with done) a flush request.
type miss struct {
	path, referrer, userAgent string
	at                        time.Time
	done                      chan error
}

// NewRecorder returns a recorder over store.
func NewRecorder(store gone.InboxStore, opt Options) *Recorder {
	if opt.Capacity <= 0 {
		opt.Capacity = DefaultCapacity
	}
	if opt.MaxStored <= 0 {
		opt.MaxStored = DefaultMaxStored
	}
	if opt.FlushEvery <= 0 {
		opt.FlushEvery = DefaultFlushEvery
	}
	if opt.HalfLife <= 0 {
		opt.HalfLife = DefaultHalfLife
	}
	if opt.Queue <= 0 {
		opt.Queue = DefaultQueue
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	return &Recorder{store: store, opt: opt, queue: make(chan miss, opt.Queue), counter: NewCounter(opt.Capacity), decayed: opt.Now()}
}

// RecordMiss notes that path (normalized) was answered 404, asked for from
// referrer by userAgent. It never blocks: with the queue full, the miss is
// dropped. It implements gone.MissRecorder.
func (r *Recorder) RecordMiss(path, referrer, userAgent string) {
	if len(path) > MaxPathBytes || path == "" {
		r.dropped.Add(1)
		return
	}
	select {
	case r.queue <- miss{path: path, referrer: referrer, userAgent: userAgent, at: r.opt.Now()}:
	default:
		r.dropped.Add(1)
	}
}

// Run counts the queued misses and flushes every FlushEvery until ctx
// ends, then flushes once more (with a fresh, short deadline).
func (r *Recorder) Run(ctx context.Context) {
	if err := r.reloadPatterns(ctx); err != nil {
		r.opt.Log.WarnContext(ctx, "inbox: reading ignore patterns failed; the next flush retries", "err", err)
	}
	tick := time.NewTicker(r.opt.FlushEvery)
	defer tick.Stop()
	for {
		select {
		case m := <-r.queue:
			if m.done != nil {
				m.done <- r.flush(ctx)
				continue
			}
			r.count(m)
		case <-tick.C:
			if err := r.reloadPatterns(ctx); err != nil {
				r.opt.Log.WarnContext(ctx, "inbox: reading ignore patterns failed", "err", err)
			}
			if err := r.flush(ctx); err != nil {
				r.opt.Log.WarnContext(ctx, "inbox: flush failed; the counts stay for the next one", "err", err)
			}
		case <-ctx.Done():
			r.drain()
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if err := r.flush(fctx); err != nil {
				r.opt.Log.Warn("inbox: last flush failed", "err", err)
			}
			cancel()
			return
		}
	}
}

// drain counts what is queued, without waiting for more.
func (r *Recorder) drain() {
	for {
		select {
		case m := <-r.queue:
			if m.done != nil {
				m.done <- context.Canceled
				continue
			}
			r.count(m)
		default:
			return
		}
	}
}

// count classifies one miss and counts it, unless a pattern ignores it.
func (r *Recorder) count(m miss) {
	crawler := r.opt.IsCrawler != nil && r.opt.IsCrawler(m.userAgent)
	ref := cleanReferrer(m.referrer)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.patterns.Match(m.path) {
		r.ignored.Add(1)
		return
	}
	r.counter.Add(m.path, ref, crawler, m.at.UTC().Truncate(time.Second))
}

// Flush counts every miss queued before it and adds the counts to the
// store. Run must be running.
func (r *Recorder) Flush(ctx context.Context) error {
	done := make(chan error, 1)
	select {
	case r.queue <- miss{done: done}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// flush decays the counts and adds the sure ones to the store in one
// batch. If the store fails, the batch is lost rather than retried: the
// inbox is a sample of the traffic, and counts that pile up while the
// store is down would only make the next write bigger.
func (r *Recorder) flush(ctx context.Context) error {
	r.mu.Lock()
	now := r.opt.Now()
	if dt := now.Sub(r.decayed); dt > 0 {
		r.counter.Decay(math.Exp2(-dt.Seconds() / r.opt.HalfLife.Seconds()))
		r.decayed = now
	}
	batch := r.counter.Take(minTracked)
	r.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if _, err := r.store.AddMisses(ctx, batch, r.opt.MaxStored); err != nil {
		return err
	}
	r.flushes.Add(1)
	r.stored.Add(int64(len(batch)))
	return nil
}

// reloadPatterns reads the ignore patterns from the store, so a pattern
// added through another instance applies here from the next flush on.
func (r *Recorder) reloadPatterns(ctx context.Context) error {
	ps, err := r.store.IgnorePatterns(ctx)
	if err != nil {
		return err
	}
	pats := make(Patterns, 0, len(ps))
	for _, p := range ps {
		pats = append(pats, p.Pattern)
	}
	r.setPatterns(pats)
	return nil
}

// setPatterns replaces the ignore patterns and forgets the paths they
// match.
func (r *Recorder) setPatterns(pats Patterns) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.patterns = pats
	r.counter.Forget(pats.Match)
}

// Forget drops whatever is counted for the paths, so an entry acted on
// does not come back with the hits counted before.
func (r *Recorder) Forget(paths ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counter.Forget(func(p string) bool {
		for _, q := range paths {
			if p == q {
				return true
			}
		}
		return false
	})
}

// Stats is what a Recorder has done, for tests and logs.
type Stats struct {
	// Tracked paths in memory now, and the bytes they hold.
	Tracked, Bytes int
	// Dropped misses (queue full, or a path too long), Ignored ones (a
	// pattern matched), Flushes (store writes) and Stored entries
	// written by them.
	Dropped, Ignored, Flushes, Stored int64
}

// Stats reports the counter's size and the recorder's totals.
func (r *Recorder) Stats() Stats {
	r.mu.Lock()
	tracked, bytes := r.counter.Len(), r.counter.Bytes()
	r.mu.Unlock()
	return Stats{Tracked: tracked, Bytes: bytes, Dropped: r.dropped.Load(), Ignored: r.ignored.Load(),
		Flushes: r.flushes.Load(), Stored: r.stored.Load()}
}

// cleanReferrer keeps a referrer's scheme, host and path: a query string
// may hold someone's token or search, which the inbox has no need to keep.
func cleanReferrer(ref string) string {
	if i := strings.IndexAny(ref, "?#"); i >= 0 {
		ref = ref[:i]
	}
	if len(ref) > MaxReferrerBytes {
		ref = ref[:MaxReferrerBytes]
	}
	return strings.ToValidUTF8(ref, "")
}
