package gone

import (
	"strings"
	"time"
)

// ChangeType names what a change did to an id, as the change feed tells it.
type ChangeType string

// The change types. A watcher drops its cached copy on deleted, gone,
// expired and moved: the id no longer answers 200.
const (
	ChangeCreated     ChangeType = "created"     // the id answers 200 (created, or the new id of a move)
	ChangeUpdated     ChangeType = "updated"     // new representation (PUT, PATCH)
	ChangeDeleted     ChangeType = "deleted"     // soft-deleted: 404 while in the trash
	ChangeRestored    ChangeType = "restored"    // back from the trash
	ChangeGone        ChangeType = "gone"        // 410 for good: a permanent delete, or lapsed trash or an expired record erased
	ChangeExpired     ChangeType = "expired"     // an expiry was set at or before the change: 410 from ExpiresAt
	ChangeExpiring    ChangeType = "expiring"    // an expiry was scheduled (or cleared): still 200 until ExpiresAt
	ChangeMoved       ChangeType = "moved"       // 308 to MovedTo
	ChangeUnavailable ChangeType = "unavailable" // 503 until UnavailableUntil (zero: available again)
	ChangeLifecycle   ChangeType = "lifecycle"   // deprecation or alternative changed
)

// Change is one audit event as a caller of the change feed may see it.
type Change struct {
	Seq        int64
	Type       ChangeType
	Collection string
	ID         string
	At         time.Time
	// Reason is the reason code or text: for admins, and for the public
	// only on gone under full disclosure, as a 410 would show it.
	Reason string
	// Alternative is what to use instead, on gone, as its 410 gives it.
	Alternative string
	// MovedTo is the new id of a moved one.
	MovedTo          string
	ExpiresAt        time.Time
	UnavailableUntil time.Time
	// Actor names the token that made the change; admins only.
	Actor string
}

// alternativeNote starts the part of a permanent delete's or a purge's
// audit detail that names the tombstone's alternative.
const alternativeNote = "alternative "

// noteAlternative returns the alternative an audit detail names, or "".
func noteAlternative(detail string) string {
	for _, part := range strings.Split(detail, "; ") {
		if alt, ok := strings.CutPrefix(part, alternativeNote); ok {
			return alt
		}
	}
	return ""
}

// Purges reports whether a watcher should drop its cached copy of the id.
func (t ChangeType) Purges() bool {
	return t == ChangeDeleted || t == ChangeGone || t == ChangeExpired || t == ChangeMoved
}

// ChangeFor tells caller what audit event e did, or ok false when the
// caller may not learn of it. Disclosure follows the collection's policy:
//
//   - conceal: a non-admin learns nothing about the collection from the
//     feed. Any event about an id, replayed later, would confirm that the
//     id once existed, which the 404 that conceal promises never does.
//   - minimal: no reasons.
//   - full: a permanent delete's reason, as its 410 gives it.
//
// A caller sees the changes of the collections it may read (private ones
// included), and an admin of a collection everything about it; the feed
// has no anonymous callers. An event of a collection the config no longer
// has is shown to nobody but unrestricted admins.
func (c *Config) ChangeFor(e AuditEvent, caller Caller) (Change, bool) {
	p, known := c.Policy(e.Collection)
	admin := caller.Can(ScopeAdmin, e.Collection)
	if !admin && (!known || p.Disclosure == DiscloseConceal || !caller.Can(ScopeRead, e.Collection)) {
		return Change{}, false
	}
	ch := Change{Seq: e.Seq, Collection: e.Collection, ID: e.ID, At: e.At, Reason: e.Reason}
	what, value, _ := strings.Cut(e.Detail, " ")
	when, _ := time.Parse(time.RFC3339, value)
	switch e.Action {
	case ActionCreate:
		ch.Type = ChangeCreated
	case ActionReplace, ActionPatch:
		ch.Type = ChangeUpdated
	case ActionSoftDelete:
		ch.Type = ChangeDeleted
	case ActionRestore:
		ch.Type = ChangeRestored
	case ActionDelete, ActionPurge:
		ch.Type = ChangeGone
		ch.Alternative = noteAlternative(e.Detail)
	case ActionExpire:
		ch.Type, ch.ExpiresAt = ChangeExpiring, when
		if !when.IsZero() && !when.After(e.At) {
			ch.Type = ChangeExpired
		}
	case ActionMove:
		ch.Type = ChangeMoved
		if what == "moved" && strings.HasPrefix(value, "from ") {
			// The new id of a move: it now answers 200.
			ch.Type = ChangeCreated
		} else {
			ch.MovedTo = strings.TrimPrefix(value, "to ")
		}
	case ActionUnavailable:
		ch.Type, ch.UnavailableUntil = ChangeUnavailable, when
	default:
		ch.Type = ChangeLifecycle
	}
	if admin {
		ch.Actor = e.Actor
		return ch, true
	}
	if ch.Type != ChangeGone || p.Disclosure != DiscloseFull {
		ch.Reason = ""
	}
	return ch, true
}
