// Package gonehttp puts gone's path rules inside a Go service: Handler
// answers retired, moved, expiring and unavailable paths (410, 308, 503,
// 404) from the rules in gone's store and passes every other request to the
// next handler; NotFound answers a handler's own failed lookup with 404 or,
// for a retired path, 410. The proxy (gone proxy) is this same handler in
// front of an httputil.ReverseProxy.
//
// The rules are kept in memory (an exact map and a longest-prefix table),
// loaded from the store and kept current: at once after a change made
// through the same gone.Service, and within the poll interval after a change
// made by another instance (Rules.Run). Every answer is gone.Decide's.
package gonehttp

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// Rules is the in-memory table of path rules. Create it with Load.
type Rules struct {
	svc *gone.Service
	log *slog.Logger
	// problemBase prefixes problem type names ("/_gone/problems/").
	problemBase string
	// maxRetry caps the Retry-After of 503 answers.
	maxRetry time.Duration
	// cors is the front doors' CORS policy (WithCORS), applied to every
	// answer gone makes here, as httpapi applies it to the API's.
	cors answer.CORS

	table atomic.Pointer[gone.RuleTable[*entry]]

	// mu serialises syncs; seq is the newest audit event applied.
	mu  sync.Mutex
	seq int64

	// misses hears of the unknown paths NotFound answers (inbox.go).
	misses gone.MissRecorder
}

// entry is one rule with its answers, built on first use.
type entry struct {
	rule
	key     gone.RuleKey
	answers atomic.Pointer[answers]
}

// Option configures Load.
type Option func(*Rules)

// WithLogger logs sync failures to log.
func WithLogger(log *slog.Logger) Option { return func(r *Rules) { r.log = log } }

// WithProblemBase sets the prefix of the problem type URIs of the answers
// (default "/problems/"); the proxy points them below its admin prefix,
// where gone's API documents them.
func WithProblemBase(base string) Option { return func(r *Rules) { r.problemBase = base } }

// WithCORS sets the CORS policy every answer follows (the config's cors.*,
// as the API follows it); none by default.
func WithCORS(p answer.CORSPolicy) Option { return func(r *Rules) { r.cors = answer.NewCORS(p) } }

// WithMaxRetryAfter caps the Retry-After of 503 answers (default
// answer.DefaultMaxRetryAfter); the body's availableAt keeps the exact end.
func WithMaxRetryAfter(d time.Duration) Option { return func(r *Rules) { r.maxRetry = d } }

// Load reads every rule from svc's store and returns the table. It also
// registers with svc.OnRulesChanged, so a rule changed through svc (its admin API, an
// import) is answered from the next request on.
func Load(ctx context.Context, svc *gone.Service, opts ...Option) (*Rules, error) {
	r := &Rules{svc: svc, log: slog.New(slog.DiscardHandler), problemBase: "/problems/", maxRetry: answer.DefaultMaxRetryAfter}
	for _, o := range opts {
		o(r)
	}
	// The newest event first, then the rules: a change committed in
	// between is both loaded and seen again by the next sync, which is
	// harmless, while the other order could miss it.
	seq, err := newestSeq(ctx, svc)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	t, err := loadTable(ctx, svc, nil)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	r.seq = seq
	r.table.Store(t)
	svc.OnRulesChanged(func(ctx context.Context) {
		if err := r.Sync(ctx); err != nil {
			r.log.WarnContext(ctx, "rules: sync after a change failed; the next poll retries", "err", err)
		}
	})
	return r, nil
}

// Len is the number of rules loaded.
func (r *Rules) Len() int { return r.table.Load().Len() }

// newestSeq finds the newest audit sequence number with Audit queries of
// one event each (exponential, then binary search), so a long audit log is
// never read whole.
func newestSeq(ctx context.Context, s gone.AuditReader) (int64, error) {
	exists := func(after int64) (bool, error) {
		ev, err := s.Audit(ctx, gone.AuditQuery{AfterSeq: after, Limit: 1})
		return len(ev) > 0, err
	}
	lo, hi := int64(0), int64(1) // an event after lo exists (or lo is 0); none after hi?
	for {
		ok, err := exists(hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		lo, hi = hi, hi*2
	}
	// Some event after lo (unless lo is 0), none after hi.
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, err := exists(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	if ok, err := exists(lo); err != nil || !ok {
		return lo, err
	}
	return hi, nil
}

// Sync applies the rule changes the audit log holds since the last sync:
// it re-reads each changed rule from the store.
func (r *Rules) Sync(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := map[string]bool{}
	seq, err := gone.ReadAfter(ctx, r.svc, r.seq, func(ev gone.AuditEvent) {
		if ev.Collection == gone.RulesCollection {
			changed[ev.ID] = true
		}
	})
	if err != nil {
		return err
	}
	r.seq = seq
	if len(changed) == 0 {
		return nil
	}
	if len(changed) > reloadAbove {
		// A large import: one pass over every rule beats a read per rule.
		return r.reloadLocked(ctx)
	}
	set := map[gone.RuleKey]*entry{}
	var remove []gone.RuleKey
	for id := range changed {
		k, ok := gone.ParseRuleID(id)
		if !ok {
			continue
		}
		rec, err := r.svc.Rule(ctx, k)
		switch {
		case gone.IsNotFound(err):
			remove = append(remove, k)
		case err != nil:
			return err
		default:
			set[k] = &entry{rule: compactRule(rec, nil), key: k}
		}
	}
	r.table.Store(r.table.Load().With(set, remove))
	return nil
}

// reloadAbove is how many changed rules make a Sync read every rule
// rather than each changed one.
const reloadAbove = 1000

// Reload reads every rule again: the backstop for a change the audit log
// cannot tell (a store restored from a backup behind this process's back).
func (r *Rules) Reload(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reloadLocked(ctx)
}

func (r *Rules) reloadLocked(ctx context.Context) error {
	t, err := loadTable(ctx, r.svc, r.table.Load())
	if err != nil {
		return err
	}
	r.table.Store(t)
	return nil
}

// loadTable reads every rule into a new table, keeping the entries of cur
// (when not nil) whose rule has not changed, with their built answers.
// The rules come a page at a time, each kept as its compact rule, so a
// large load never holds every rule as a record too.
func loadTable(ctx context.Context, svc *gone.Service, cur *gone.RuleTable[*entry]) (*gone.RuleTable[*entry], error) {
	pool := stringPool{}
	set := map[gone.RuleKey]*entry{}
	if cur != nil {
		set = make(map[gone.RuleKey]*entry, cur.Len())
	}
	err := svc.EachRule(ctx, func(rec *gone.Record) {
		k, ok := gone.ParseRuleID(rec.ID)
		if !ok {
			return
		}
		if cur != nil {
			if old, ok := cur.Get(k); ok && old.version == rec.Version {
				set[k] = old // keep its built answers
				return
			}
		}
		set[k] = &entry{rule: compactRule(rec, pool), key: k}
	})
	if err != nil {
		return nil, err
	}
	return gone.NewRuleTable[*entry]().With(set, nil), nil
}

// Run keeps the table current until ctx ends: a Sync every poll, a full
// Reload every reload (0 disables it). Another instance's change is
// answered within poll, or within reload in the rare case of PostgreSQL
// committing events far out of sequence order.
func (r *Rules) Run(ctx context.Context, poll, reload time.Duration) {
	t := time.NewTicker(poll)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var err error
		if reload > 0 && time.Since(last) >= reload {
			err, last = r.Reload(ctx), time.Now()
		} else {
			err = r.Sync(ctx)
		}
		if err != nil && ctx.Err() == nil {
			r.log.WarnContext(ctx, "rules: refresh failed; answering from the rules already loaded", "err", err)
		}
	}
}
