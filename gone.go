// Package gone gives HTTP resources an honest lifecycle: 200 while a
// resource lives, 404 when the server does not know it, 410 when it is gone
// for good, 308 when it moved and 503 when it is only briefly unavailable.
//
// The root package holds the domain: records and their states, collection
// policies, the one decision function (Decide) and the lifecycle
// transitions. Storage lives in sqlite and postgres, HTTP in httpapi, and the
// Go client in client.
package gone

import (
	"encoding/json"
	"time"
)

// State is where a resource is in its life, derived from its record and the
// current time. It is never stored: a trash window or an expiry that passes
// changes the state at read time, without waiting for any job.
type State string

// The states of docs/design.md §1.
const (
	StateAbsent      State = "absent"      // no record and no tombstone: never existed
	StateLive        State = "live"        // readable
	StateUnavailable State = "unavailable" // live, but withheld until UnavailableUntil
	StateDeleted     State = "deleted"     // soft-deleted: in the trash, restorable
	StateGone        State = "gone"        // permanently deleted, or trash whose window passed
	StateExpired     State = "expired"     // ExpiresAt passed
	StateMoved       State = "moved"       // renamed; MovedTo names the new id
)

// Record is everything gone stores about one (collection, id): the
// representation while it lives, and the lifecycle facts that outlive it.
// A permanently deleted record keeps only tombstone metadata: Data is nil.
type Record struct {
	Collection string
	ID         string
	// Data is the JSON object the resource represents; nil once erased.
	Data json.RawMessage
	// Version grows by one on every change; it makes the ETag.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time

	// DeletedAt is set by any delete. RestorableUntil is set only by a soft
	// delete: the end of the collection's restore window.
	DeletedAt       time.Time
	RestorableUntil time.Time
	// Reason is a reason code from the catalog or free text.
	Reason string
	// Alternative is a URL or path a caller may use instead.
	Alternative string
	// DeletedBy names the token that deleted the resource.
	DeletedBy string

	ExpiresAt        time.Time
	MovedTo          string
	UnavailableUntil time.Time
	DeprecatedAt     time.Time
}

// State derives the record's state at now. A nil record is StateAbsent.
func (r *Record) State(now time.Time) State {
	switch {
	case r == nil:
		return StateAbsent
	case r.MovedTo != "":
		return StateMoved
	case !r.DeletedAt.IsZero():
		if !r.RestorableUntil.IsZero() && now.Before(r.RestorableUntil) {
			return StateDeleted
		}
		return StateGone
	case !r.ExpiresAt.IsZero() && !now.Before(r.ExpiresAt):
		return StateExpired
	case !r.UnavailableUntil.IsZero() && now.Before(r.UnavailableUntil):
		return StateUnavailable
	default:
		return StateLive
	}
}

// Retired reports whether the id answers 410 at now (or would, but for a
// conceal policy): gone by delete or by expiry.
func (r *Record) Retired(now time.Time) bool {
	s := r.State(now)
	return s == StateGone || s == StateExpired
}

// RetiredAt is when the resource stopped existing: DeletedAt for a delete
// (or the end of the trash window for trash that lapsed), ExpiresAt for an
// expiry.
func (r *Record) RetiredAt() time.Time {
	if !r.DeletedAt.IsZero() {
		if !r.RestorableUntil.IsZero() {
			// Lapsed trash: it answered 404 until the window passed, so
			// its 410 (and any reuse quarantine) starts then.
			return r.RestorableUntil
		}
		return r.DeletedAt
	}
	return r.ExpiresAt
}

// Clone returns a deep copy of r, so transitions never alias a caller's
// record.
func (r *Record) Clone() *Record {
	if r == nil {
		return nil
	}
	c := *r
	if r.Data != nil {
		c.Data = append(json.RawMessage(nil), r.Data...)
	}
	return &c
}
