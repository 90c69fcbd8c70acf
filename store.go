package gone

import (
	"context"
	"time"
)

// Store keeps records, tombstones and the audit log. Implementations:
// sqlite.Store (the embedded default) and postgres.Store. The conformance
// suite in storetest defines what a Store must do.
type Store interface {
	// Get returns the record for (collection, id) in one indexed lookup,
	// or ENOTFOUND when the store holds neither record nor tombstone. The
	// record may be shared with other readers (a read cache hands the same
	// one to every caller): callers must not modify it.
	Get(ctx context.Context, collection, id string) (*Record, error)
	// Update runs fn in one transaction and commits it durably before
	// returning nil: an acknowledged write survives a crash. If fn returns
	// an error, nothing fn wrote is kept and Update returns that error.
	// Concurrent Updates on the same ids are serialised.
	Update(ctx context.Context, fn func(Tx) error) error
	// List returns up to q.Limit records of one collection in q.State at
	// q.Now, ordered by id, after q.After; next is the id to continue
	// after, or "" at the end.
	List(ctx context.Context, q ListQuery) (recs []*Record, next string, err error)
	// Audit returns audit events, oldest first (newest first with
	// q.Newest).
	//
	// Events become visible in Seq order, whatever the concurrency of the
	// writers: once a reader has seen Seq n, no event with a lower Seq
	// can appear later. So a follower of the log (the change feed, the
	// rule tables, webhooks) pages with AfterSeq from the highest Seq it
	// has seen and misses nothing (storetest's AuditOrder checks it).
	Audit(ctx context.Context, q AuditQuery) ([]AuditEvent, error)
	// Ping reports whether the store answers.
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

// Peeker is a Store that may know an id's record from memory, without I/O
// (readcache.Store). hit false means it does not know; hit true with a nil
// record means the store holds nothing for the id. Service asks it first,
// so a read answered from memory skips the store lookup's timeout.
type Peeker interface {
	Peek(collection, id string) (rec *Record, hit bool)
}

// ChangeSink is told about writes this process did not make through its own
// Store.Update: another process on the same SQLite file, another instance
// on the same PostgreSQL database. readcache.Store is one; the stores'
// Follow methods feed it.
type ChangeSink interface {
	// Changed says one id was written elsewhere.
	Changed(collection, id string)
	// Reset says something changed that the feed cannot name.
	Reset()
	// Trust says the feed follows every change from now on.
	Trust()
	// Distrust says the feed lost track: memory may be stale until the
	// next Trust.
	Distrust()
}

// Tx is the view of the store inside Update.
type Tx interface {
	// Get returns the record for (collection, id), or ENOTFOUND. The row
	// (or its absence) stays locked against other transactions until the
	// transaction ends.
	Get(ctx context.Context, collection, id string) (*Record, error)
	// Put inserts or replaces the record. A nil Data erases the payload:
	// after commit it must not be recoverable from the store.
	Put(ctx context.Context, r *Record) error
	// AppendAudit records one lifecycle change.
	AppendAudit(ctx context.Context, e AuditEvent) error
}

// ListQuery selects a page of one collection by state. StateDeleted is the
// trash; StateGone is every retired id (deleted, lapsed trash or expired).
// Matches is its meaning; stores say the same in their own query language.
type ListQuery struct {
	Collection string
	// State is StateLive (the default: live and unavailable records),
	// StateDeleted, StateGone, StateMoved or StateUnavailable (only the
	// live records withheld at Now).
	State State
	Now   time.Time
	After string
	Limit int
	// WithData keeps only records that still hold a payload: with
	// StateGone, the lapsed trash (and expired records) that the purger
	// has yet to erase.
	WithData bool
	// ExpiresBefore, when set, keeps only records whose expiry is
	// scheduled at or before it: with StateLive, the ones expiring soon.
	ExpiresBefore time.Time
}

// Listable reports whether List serves state.
func Listable(state State) bool {
	switch state {
	case "", StateLive, StateDeleted, StateGone, StateMoved, StateUnavailable:
		return true
	}
	return false
}

// Matches reports whether r belongs in q's list at q.Now (the collection
// and cursor aside). It is the reference every store's query must agree
// with; the conformance suite checks that they do.
func (q ListQuery) Matches(r *Record) bool {
	st := r.State(q.Now)
	var in bool
	switch q.State {
	case "", StateLive:
		in = st == StateLive || st == StateUnavailable
	case StateGone:
		in = st == StateGone || st == StateExpired
	default:
		in = st == q.State
	}
	if q.WithData && r.Data == nil {
		return false
	}
	if !q.ExpiresBefore.IsZero() && (r.ExpiresAt.IsZero() || r.ExpiresAt.After(q.ExpiresBefore)) {
		return false
	}
	return in
}

// AuditQuery filters the audit log. Empty fields match everything.
type AuditQuery struct {
	Collection string
	ID         string
	Actor      string
	Action     string
	// Since and Until bound the event time: Since <= At < Until.
	Since time.Time
	Until time.Time
	// AfterSeq continues a previous page oldest first: events after it.
	AfterSeq int64
	// BeforeSeq, when not 0, keeps only events before it: it continues a
	// previous page newest first.
	BeforeSeq int64
	// Newest returns the newest events first.
	Newest bool
	Limit  int
}

// Audit actions.
const (
	ActionCreate      = "create"
	ActionReplace     = "replace"
	ActionPatch       = "patch"
	ActionSoftDelete  = "soft_delete"
	ActionRestore     = "restore"
	ActionDelete      = "delete" // permanent
	ActionPurge       = "purge"
	ActionExpire      = "expire" // an expiry was scheduled or changed
	ActionMove        = "move"
	ActionUnavailable = "unavailable"
	ActionLifecycle   = "lifecycle"    // other lifecycle metadata changed
	ActionTokenCreate = "token_create" // collection "tokens", id the token's name
	ActionTokenRevoke = "token_revoke"
	// Subscription changes: collection "webhooks", id the subscription's
	// name (see WebhookAudit).
	ActionWebhookCreate = "webhook_create"
	ActionWebhookUpdate = "webhook_update"
	ActionWebhookPause  = "webhook_pause"
	ActionWebhookResume = "webhook_resume"
	ActionWebhookDelete = "webhook_delete"
)

// Matches reports whether e passes q's filters (the paging aside). It is
// the reference the stores' queries must agree with.
func (q AuditQuery) Matches(e AuditEvent) bool {
	return (q.Collection == "" || e.Collection == q.Collection) && (q.ID == "" || e.ID == q.ID) &&
		(q.Actor == "" || e.Actor == q.Actor) && (q.Action == "" || e.Action == q.Action) &&
		(q.Since.IsZero() || !e.At.Before(q.Since)) && (q.Until.IsZero() || e.At.Before(q.Until))
}

// AuditEvent records one lifecycle change: who, when, what and why. It never
// holds the payload, so erasure need not chase it.
type AuditEvent struct {
	// Seq orders events; the store assigns it.
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	Collection string    `json:"collection"`
	ID         string    `json:"id"`
	Reason     string    `json:"reason,omitempty"`
	// Detail is a short human note ("moved to abc", "expiresAt=...").
	Detail string `json:"detail,omitempty"`
}

// BatchTx is what a Tx may add so that a batch costs a few statements per
// chunk instead of three per row. Service.PutBatch uses it when the store's
// Tx has it, and the plain Tx methods otherwise; the results are the same.
type BatchTx interface {
	// GetMany returns the records of the ids that exist, by id; like Get,
	// it reads through the transaction and keeps what it read locked.
	GetMany(ctx context.Context, collection string, ids []string) (map[string]*Record, error)
	// PutMany inserts or replaces the records in order, as Put would one
	// by one.
	PutMany(ctx context.Context, rs []*Record) error
	// AppendAudits records the events in order, as AppendAudit would.
	AppendAudits(ctx context.Context, es []AuditEvent) error
}
