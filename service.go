package gone

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Service applies gone's lifecycle rules on top of a Store. Every write is
// one Store.Update transaction: read the current record, apply a pure
// transition, write the result and its audit event together.
//
// Its settings are fixed when it is made (NewService and its options): no
// other package rewrites a Service after construction.
type Service struct {
	store  Store
	config *Config
	// tokens keeps the named tokens; NewService takes it from a Store
	// that also implements TokenStore, unless WithTokens says otherwise.
	tokens TokenStore

	clock func() time.Time
	newID func() string
	// readTimeout bounds the store lookup of a read; past it the answer
	// is 503, never a guess. writeTimeout bounds a write's transaction,
	// so a store that hangs (a network partition, a lock held too long)
	// answers 503 rather than holding the request until the HTTP server
	// gives up on it.
	readTimeout, writeTimeout time.Duration

	mu           sync.Mutex
	rulesChanged []func(ctx context.Context)
}

// Option configures NewService.
type Option func(*Service)

// WithClock sets the clock (time.Now by default); tests inject a fixed or
// a hand-moved one.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.clock = now } }

// WithIDs sets how POST makes ids (RandomID by default).
func WithIDs(newID func() string) Option { return func(s *Service) { s.newID = newID } }

// WithTimeouts sets the bounds of a read's store lookup (default 2 s) and
// of a write's transaction (default 10 s); zero leaves one unbounded.
func WithTimeouts(read, write time.Duration) Option {
	return func(s *Service) { s.readTimeout, s.writeTimeout = read, write }
}

// WithTokens sets where the named tokens are kept: by default the Store,
// when it keeps them (TokenStore), and nowhere otherwise. Tests wrap the
// store's to count or fail its lookups.
func WithTokens(tokens TokenStore) Option { return func(s *Service) { s.tokens = tokens } }

// NewService returns a Service over store with the collections of cfg:
// the real clock, random ids and the default timeouts unless opts say
// otherwise.
func NewService(store Store, cfg *Config, opts ...Option) *Service {
	tokens, _ := store.(TokenStore)
	s := &Service{store: store, config: cfg, tokens: tokens, clock: time.Now, newID: RandomID, readTimeout: 2 * time.Second, writeTimeout: 10 * time.Second}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.clock() }

// Config is the configuration the service was made with. It is
// read-only: nothing changes a Config after it is loaded.
func (s *Service) Config() *Config { return s.config }

// Ping reports whether the store answers (the readiness probe).
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// Audit reads the audit log as q asks. It checks no caller: it is for
// handlers that have (the audit log is an admin's; the change feed keeps
// of each event only what the caller may see, Config.ChangeFor) and for
// followers of the log (ReadAfter), which answer no caller.
func (s *Service) Audit(ctx context.Context, q AuditQuery) ([]AuditEvent, error) {
	return s.store.Audit(ctx, q)
}

// Scan reads one page of the records q matches, as the store holds them:
// it checks no caller and applies none of List's limits. It is for what
// the server derives from every record and then decides for the public
// itself, record by record (the sitemaps); a caller's listing is List.
func (s *Service) Scan(ctx context.Context, q ListQuery) ([]*Record, string, error) {
	return s.store.List(ctx, q)
}

// Webhooks returns where the store keeps webhook subscriptions, or nil
// when it keeps none. The service has no rules of its own for webhooks:
// this is for wiring the HTTP API's webhook routes to the same store.
func (s *Service) Webhooks() WebhookStore {
	w, _ := s.store.(WebhookStore)
	return w
}

// Memos returns the store's memo of answers derived from a record (a
// read cache's, Memoizer), or nil when it keeps none.
func (s *Service) Memos() Memoizer {
	m, _ := s.store.(Memoizer)
	return m
}

// At returns a service over the same store whose clock stands still at t,
// for loading a world with fixed dates (the demo's).
func (s *Service) At(t time.Time) *Service {
	return NewService(s.store, s.config, WithClock(func() time.Time { return t }), WithIDs(s.newID),
		WithTimeouts(s.readTimeout, s.writeTimeout), WithTokens(s.tokens))
}

// OnRulesChanged calls f after every committed change to the path rules
// made through this service, so an in-memory rule table in this process
// (the proxy's, serve's, the middleware's) reloads at once rather than at
// its next poll.
func (s *Service) OnRulesChanged(f func(ctx context.Context)) {
	s.mu.Lock()
	s.rulesChanged = append(s.rulesChanged, f)
	s.mu.Unlock()
}

// notifyRulesChanged calls every OnRulesChanged function.
func (s *Service) notifyRulesChanged(ctx context.Context) {
	s.mu.Lock()
	fs := s.rulesChanged
	s.mu.Unlock()
	for _, f := range fs {
		f(ctx)
	}
}

// RandomID returns 16 random lower-case base-32 characters.
func RandomID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	var b [16]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[b[i]&31]
	}
	return string(b[:])
}

// now is the write clock: stored times are whole seconds, which is what
// Last-Modified, the seeds' timestamps and expiry "to the second" need.
func (s *Service) writeNow() time.Time { return s.clock().UTC().Truncate(time.Second) }

// Policy returns the collection's policy, or ENOTFOUND.
func (s *Service) Policy(collection string) (Policy, error) {
	p, ok := s.config.Policy(collection)
	if !ok {
		return p, Errorf(ENOTFOUND, "Collection %q does not exist.", collection)
	}
	return p, nil
}

// Decide looks the id up and decides the answer for caller. The returned
// error is the store's failure, for the log only: the decision already says
// 503.
func (s *Service) Decide(ctx context.Context, caller Caller, p Policy, id string) (Decision, error) {
	if p.Private && caller.Anonymous() {
		// Permission before existence: do not even look.
		return Decide(Input{Now: s.Now(), Caller: caller, Policy: p, WithoutPath: true}), nil
	}
	in, err := s.lookup(ctx, p, id)
	in.Caller = caller
	in.WithoutPath = true // only Explain shows the path
	return Decide(in), err
}

// Explain decides the id for caller and for an anonymous caller from one
// lookup, so the two answers describe the same moment of the record.
func (s *Service) Explain(ctx context.Context, caller Caller, p Policy, id string) (public, forCaller Decision, err error) {
	in, err := s.lookup(ctx, p, id)
	in.Caller = caller
	forCaller = Decide(in)
	in.Caller = Caller{}
	return Decide(in), forCaller, err
}

// lookup reads the id for a decision, within ReadTimeout. A store failure
// sets StoreFailed (the decision says 503) and is returned for the log.
func (s *Service) lookup(ctx context.Context, p Policy, id string) (Input, error) {
	in := Input{Now: s.Now(), Policy: p}
	if pk, ok := s.store.(Peeker); ok {
		if rec, hit := pk.Peek(p.Collection, id); hit {
			in.Record = rec
			return in, nil
		}
	}
	if s.readTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.readTimeout)
		defer cancel()
	}
	rec, err := s.store.Get(ctx, p.Collection, id)
	switch {
	case ErrorCode(err) == ENOTFOUND:
	case err != nil:
		in.StoreFailed = true
	default:
		in.Record = rec
	}
	return in, err
}

func (s *Service) write(ctx context.Context, caller Caller, collection, id string) (Policy, error) {
	if !caller.Can(ScopeWrite, collection) {
		return Policy{}, Errorf(EFORBIDDEN, "This token may not write to %s.", collection)
	}
	p, err := s.Policy(collection)
	if err != nil {
		return p, err
	}
	if !ValidID(id) {
		return p, invalid("id", "must match [A-Za-z0-9][A-Za-z0-9._~-]{0,127}")
	}
	return p, nil
}

// get reads a record inside a transaction; a missing one is nil, not an error.
func get(ctx context.Context, tx Tx, collection, id string) (*Record, error) {
	r, err := tx.Get(ctx, collection, id)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil
	}
	return r, err
}

func (s *Service) audit(ctx context.Context, tx Tx, caller Caller, r *Record, action, reason, detail string) error {
	return tx.AppendAudit(ctx, AuditEvent{
		At: r.UpdatedAt, Actor: caller.Name, Action: action,
		Collection: r.Collection, ID: r.ID, Reason: reason, Detail: detail,
	})
}

// apply runs one transition on one id of p's collection as one
// transaction: read the record (locking it), compute the next one, check
// the write's preconditions against the record read, and write it with its
// audit events, so a write and its audit record land together or not at
// all. A transition that returns a nil record changes nothing, and apply
// returns the current one.
func (s *Service) apply(ctx context.Context, caller Caller, p Policy, now time.Time, id, reason string, pre Preconditions, step func(cur *Record) (*Record, []auditNote, error)) (*Record, error) {
	var rec *Record
	ctx, cancel := s.writeContext(ctx)
	defer cancel()
	err := s.store.Update(ctx, func(tx Tx) error {
		cur, err := get(ctx, tx, p.Collection, id)
		if err != nil {
			return err
		}
		next, notes, err := step(cur)
		if err := pre.check(cur, p, now, id, err); err != nil {
			return concealedRefusal(err, caller, p, now, cur, id, pre, step)
		}
		if next == nil {
			rec = cur
			return nil
		}
		if err := tx.Put(ctx, next); err != nil {
			return err
		}
		for _, n := range notes {
			if err := s.audit(ctx, tx, caller, next, n.action, reason, n.detail); err != nil {
				return err
			}
		}
		rec = next
		return nil
	})
	return rec, err
}

// writeContext bounds a write by WriteTimeout; the stores report a write
// that runs out of it as EUNAVAILABLE.
func (s *Service) writeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.writeTimeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.writeTimeout)
}

// ETag returns the record's strong entity tag.
func (r *Record) ETag() string { return `"` + strconv.FormatInt(r.Version, 10) + `"` }

// Put creates or replaces the resource with data, a JSON object, under
// pre (If-None-Match "*" makes it create-only). It returns ECONFLICT (with
// the record) for an id in the trash, retired or moved, and EPRECONDITION
// (with the current record) for a failed precondition.
func (s *Service) Put(ctx context.Context, caller Caller, collection, id string, data json.RawMessage, pre Preconditions) (rec *Record, created bool, err error) {
	p, err := s.write(ctx, caller, collection, id)
	if err != nil {
		return nil, false, err
	}
	if err := checkObject(data); err != nil {
		return nil, false, err
	}
	now := s.writeNow()
	rec, err = s.apply(ctx, caller, p, now, id, "", pre, func(cur *Record) (*Record, []auditNote, error) {
		next, action, err := putTransition(cur, p, now, collection, id, data)
		created = action == ActionCreate
		return next, []auditNote{{action, ""}}, err
	})
	// A refusal may have run the step again over no record (see
	// concealedRefusal): nothing was created.
	return rec, created && err == nil, err
}

// Create stores data under a new generated id.
func (s *Service) Create(ctx context.Context, caller Caller, collection string, data json.RawMessage) (*Record, error) {
	rec, _, err := s.Put(ctx, caller, collection, s.newID(), data, Preconditions{})
	return rec, err
}

// Patch applies an RFC 7396 JSON merge patch to a live resource, under pre.
func (s *Service) Patch(ctx context.Context, caller Caller, collection, id string, patch json.RawMessage, pre Preconditions) (*Record, error) {
	p, err := s.write(ctx, caller, collection, id)
	if err != nil {
		return nil, err
	}
	if err := checkObject(patch); err != nil {
		return nil, err
	}
	now := s.writeNow()
	return s.apply(ctx, caller, p, now, id, "", pre, func(cur *Record) (*Record, []auditNote, error) {
		next, err := patchTransition(cur, p, now, id, patch)
		return next, []auditNote{{ActionPatch, ""}}, err
	})
}

// DeleteOptions are the parameters of a delete.
type DeleteOptions struct {
	// Permanent forces a permanent delete where the collection would
	// soft-delete.
	Permanent bool
	// Reason is a reason code or free text.
	Reason string
	// Alternative is a path or URL to use instead.
	Alternative string
}

// Delete soft-deletes the resource where the collection has a restore
// window, and deletes it permanently otherwise (or with Permanent). A
// permanent delete erases the payload. It returns ENOTFOUND for an unknown
// id and EGONE for one already gone and erased; EPRECONDITION when pre
// fails.
func (s *Service) Delete(ctx context.Context, caller Caller, collection, id string, opt DeleteOptions, pre Preconditions) (*Record, error) {
	p, err := s.write(ctx, caller, collection, id)
	if err != nil {
		return nil, err
	}
	if err := s.config.checkReason(opt.Reason); err != nil {
		return nil, err
	}
	if err := checkAlternative(opt.Alternative); err != nil {
		return nil, err
	}
	now := s.writeNow()
	return s.apply(ctx, caller, p, now, id, opt.Reason, pre, func(cur *Record) (*Record, []auditNote, error) {
		next, action, err := deleteTransition(cur, p, now, caller, opt, collection, id)
		detail := ""
		if next != nil && next.Alternative != "" && (action == ActionDelete || action == ActionPurge) {
			// The change feed's gone event says what to use instead, as
			// the 410 does.
			detail = alternativeNote + next.Alternative
		}
		return next, []auditNote{{action, detail}}, err
	})
}

// Restore brings a soft-deleted resource back from the trash. It returns
// ECONFLICT for a live or moved id, EGONE for a retired one and ENOTFOUND
// for an unknown one; EPRECONDITION when pre fails.
func (s *Service) Restore(ctx context.Context, caller Caller, collection, id string, pre Preconditions) (*Record, error) {
	p, err := s.write(ctx, caller, collection, id)
	if err != nil {
		return nil, err
	}
	now := s.writeNow()
	return s.apply(ctx, caller, p, now, id, "", pre, func(cur *Record) (*Record, []auditNote, error) {
		next, err := restoreTransition(cur, p, now, id)
		return next, []auditNote{{ActionRestore, ""}}, err
	})
}

// Move renames a live resource: its data moves to the new id, and the old
// id answers 308 to it from then on. pre applies to the resource moved.
func (s *Service) Move(ctx context.Context, caller Caller, collection, id, to string, pre Preconditions) (*Record, error) {
	p, err := s.write(ctx, caller, collection, id)
	if err != nil {
		return nil, err
	}
	if !ValidID(to) {
		return nil, invalid("to", "must be a valid id")
	}
	if to == id {
		return nil, invalid("to", "must differ from the current id")
	}
	now := s.writeNow()
	var rec *Record
	ctx, cancel := s.writeContext(ctx)
	defer cancel()
	err = s.store.Update(ctx, func(tx Tx) error {
		src, err := get(ctx, tx, collection, id)
		if err != nil {
			return err
		}
		if err := mustBeLive(src, p, now, collection, id); err != nil {
			return concealedRefusal(err, caller, p, now, src, id, pre, func(cur *Record) (*Record, []auditNote, error) {
				return nil, nil, mustBeLive(cur, p, now, collection, id)
			})
		}
		dst, err := get(ctx, tx, collection, to)
		if err != nil {
			return err
		}
		if hides(caller, p, dst, now) {
			// The target is taken, which no answer can hide; what took it,
			// this caller's read of it does not tell.
			return Errorf(ECONFLICT, "The id %s cannot be used; choose another.", to)
		}
		moved, old, err := moveTransition(src, dst, now, collection, id, to)
		if err := pre.check(src, p, now, id, err); err != nil {
			return err
		}
		for _, r := range []*Record{moved, old} {
			if err := tx.Put(ctx, r); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, tx, caller, old, ActionMove, "", "moved to "+to); err != nil {
			return err
		}
		rec = moved
		return s.audit(ctx, tx, caller, moved, ActionMove, "", "moved from "+id)
	})
	return rec, err
}

// Optional is a field of a partial update: Set false leaves it alone; Set
// with the zero Value clears it (JSON null).
type Optional[T any] struct {
	Set   bool
	Value T
}

// LifecycleChange is a partial update of a resource's lifecycle metadata.
type LifecycleChange struct {
	ExpiresAt        Optional[time.Time]
	UnavailableUntil Optional[time.Time]
	DeprecatedAt     Optional[time.Time]
	Alternative      Optional[string]
}

// SetLifecycle changes expiry, availability, deprecation or alternative.
// A retired id may only change its alternative: its expiry can never be
// moved or cleared, because an id that answered 410 answers 410 forever.
// pre is checked against the record's version, whatever its state.
func (s *Service) SetLifecycle(ctx context.Context, caller Caller, collection, id string, c LifecycleChange, pre Preconditions) (*Record, error) {
	p, err := s.write(ctx, caller, collection, id)
	if err != nil {
		return nil, err
	}
	if c.Alternative.Set {
		if err := checkAlternative(c.Alternative.Value); err != nil {
			return nil, err
		}
	}
	for name, t := range map[string]Optional[time.Time]{"expiresAt": c.ExpiresAt, "unavailableUntil": c.UnavailableUntil, "deprecatedAt": c.DeprecatedAt} {
		if t.Set && !t.Value.IsZero() && (t.Value.Year() < 1970 || t.Value.Year() > 9999) {
			return nil, invalid(name, "must be between years 1970 and 9999")
		}
	}
	now := s.writeNow()
	return s.apply(ctx, caller, p, now, id, "", pre, func(cur *Record) (*Record, []auditNote, error) {
		if hides(caller, p, cur, now) {
			// Its answer is the lifecycle view, which this caller may not
			// read (admin only): an id it reads as never existed is one it
			// cannot change the lifecycle of.
			return nil, nil, notFound(p, id)
		}
		return lifecycleTransition(cur, p, now, c, collection, id)
	})
}

// History returns the audit events of one id, oldest first.
func (s *Service) History(ctx context.Context, collection, id string) ([]AuditEvent, error) {
	return s.store.Audit(ctx, AuditQuery{Collection: collection, ID: id, Limit: 1000})
}

// Record returns the raw record for admin views, or ENOTFOUND.
// The not-found error carries the collection's own text, whatever the
// store's wording, so every store gives the same answer.
func (s *Service) Record(ctx context.Context, collection, id string) (*Record, error) {
	rec, err := s.store.Get(ctx, collection, id)
	if IsNotFound(err) {
		p, _ := s.config.Policy(collection)
		return nil, notFound(p, id)
	}
	return rec, err
}

// List pages through one collection. Only admins may list another state
// than live (the trash, retired, moved or unavailable ids) or filter by
// expiry.
func (s *Service) List(ctx context.Context, caller Caller, q ListQuery) ([]*Record, string, error) {
	p, err := s.Policy(q.Collection)
	if err != nil {
		return nil, "", err
	}
	if p.Private && caller.Anonymous() {
		return nil, "", Errorf(EUNAUTHORIZED, "A token is required to read this collection.")
	}
	if q.State == "" {
		q.State = StateLive
	}
	if !Listable(q.State) {
		return nil, "", invalid("state", "must be live, unavailable, deleted, gone or moved")
	}
	// Beyond the plain live list, a listing shows lifecycle facts: for
	// admins only.
	if (q.State != StateLive || !q.ExpiresBefore.IsZero()) && !caller.Can(ScopeAdmin, q.Collection) {
		return nil, "", Errorf(EFORBIDDEN, "Only an admin token may list by lifecycle state or expiry.")
	}
	if q.Limit <= 0 {
		q.Limit = DefaultListLimit
	}
	if q.Limit > MaxListLimit {
		return nil, "", invalid("limit", "must be at most 500")
	}
	if q.After != "" && !ValidID(q.After) {
		return nil, "", invalid("cursor", "is not a cursor this server gave")
	}
	q.Now = s.Now()
	return s.store.List(ctx, q)
}

func notFound(p Policy, id string) error {
	return Errorf(ENOTFOUND, "%s", p.TextsFor("en").Expand(p.TextsFor("en").NotFound, id, time.Time{}))
}

func goneErr(r *Record) error {
	return &Error{Code: EGONE, Message: fmt.Sprintf("%s is gone since %s.", r.ID, r.RetiredAt().Format(time.RFC3339)), Record: r}
}

func conflict(r *Record, format string, args ...any) error {
	return &Error{Code: ECONFLICT, Message: fmt.Sprintf(format, args...), Record: r}
}

// checkObject accepts exactly what unmarshalling into a map would: one
// valid JSON object, with nothing but space around it. It builds no map, as
// a batch checks thousands of rows.
func checkObject(data json.RawMessage) error {
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) == 0 || t[0] != '{' || !json.Valid(data) {
		return Errorf(EINVALID, "The body must be a JSON object.")
	}
	return nil
}

// IsNotFound reports whether err has code ENOTFOUND.
func IsNotFound(err error) bool { return ErrorCode(err) == ENOTFOUND }
