package gone

import (
	"encoding/json"
	"time"
)

// The transitions below are pure: current record (nil when absent), policy
// and time in; next record, audit action and error out. Service runs each
// inside one store transaction.

// putTransition creates or replaces a resource.
// Preconditions (If-Match, …) are not its business: Service.apply checks
// them against the same record, in the same transaction.
func putTransition(cur *Record, p Policy, now time.Time, collection, id string, data json.RawMessage) (*Record, string, error) {
	switch cur.State(now) {
	case StateAbsent:
		return &Record{Collection: collection, ID: id, Data: data, Version: 1, CreatedAt: now, UpdatedAt: now}, ActionCreate, nil
	case StateLive, StateUnavailable:
		next := cur.Clone()
		next.Data, next.Version, next.UpdatedAt = data, cur.Version+1, now
		return next, ActionReplace, nil
	case StateDeleted:
		return nil, "", conflict(cur, "%s is in the trash until %s; restore it instead.", id, cur.RestorableUntil.Format(time.RFC3339))
	case StateMoved:
		return nil, "", conflict(cur, "%s was moved to %s.", id, cur.MovedTo)
	}
	// Retired: the id is never reused, unless the collection's quarantine
	// has passed.
	if !p.ReusableAt(cur, now) {
		return nil, "", conflict(cur, "%s was retired on %s and its id cannot be reused.", id, cur.RetiredAt().Format(time.RFC3339))
	}
	return &Record{Collection: collection, ID: id, Data: data, Version: cur.Version + 1, CreatedAt: now, UpdatedAt: now}, ActionCreate, nil
}

// patchTransition applies an RFC 7396 merge patch to a live record.
func patchTransition(cur *Record, p Policy, now time.Time, id string, patch json.RawMessage) (*Record, error) {
	if err := mustBeLive(cur, p, now, p.Collection, id); err != nil {
		return nil, err
	}
	data, err := MergePatch(cur.Data, patch)
	if err != nil {
		return nil, err
	}
	next := cur.Clone()
	next.Data, next.Version, next.UpdatedAt = data, cur.Version+1, now
	return next, nil
}

// mustBeLive returns the error for writing to a record that is not live.
func mustBeLive(cur *Record, p Policy, now time.Time, collection, id string) error {
	switch cur.State(now) {
	case StateLive, StateUnavailable:
		return nil
	case StateAbsent:
		return notFound(p, id)
	case StateDeleted:
		return conflict(cur, "%s is in the trash; restore it first.", id)
	case StateMoved:
		return conflict(cur, "%s was moved to %s.", id, cur.MovedTo)
	default:
		return goneErr(cur)
	}
}

// deleteTransition deletes a resource. A nil next record with a nil error
// means nothing changes (deleting what is already in the trash).
func deleteTransition(cur *Record, p Policy, now time.Time, caller Caller, opt DeleteOptions, collection, id string) (*Record, string, error) {
	next := cur.Clone()
	if next != nil {
		next.Version, next.UpdatedAt = cur.Version+1, now
		if opt.Reason != "" {
			next.Reason = opt.Reason
		}
		if opt.Alternative != "" {
			next.Alternative = opt.Alternative
		}
	}
	erase := func(action string) (*Record, string, error) {
		next.Data, next.RestorableUntil, next.DeletedAt, next.DeletedBy = nil, time.Time{}, now, caller.Name
		return next, action, nil
	}
	switch cur.State(now) {
	case StateAbsent:
		return nil, "", notFound(p, id)
	case StateLive, StateUnavailable:
		if p.RestoreWindow > 0 && !opt.Permanent {
			// The window ends on a whole second (rounded up), like every
			// other lifecycle time: writes see the clock truncated to the
			// second and reads do not, so a window ending at x.5s would
			// answer 410 at x.7s yet still be restorable by a write
			// whose clock reads x.0s.
			until := now.Add(p.RestoreWindow)
			if t := until.Truncate(time.Second); !t.Equal(until) {
				until = t.Add(time.Second)
			}
			next.DeletedAt, next.RestorableUntil, next.DeletedBy = now, until, caller.Name
			return next, ActionSoftDelete, nil
		}
		return erase(ActionDelete)
	case StateDeleted:
		if !opt.Permanent {
			return nil, "", nil
		}
		return erase(ActionDelete)
	case StateMoved:
		next.MovedTo = ""
		return erase(ActionDelete)
	case StateExpired:
		// Already 410 by expiry; a delete erases what the expiry kept, and
		// the id keeps answering with its expiredAt.
		if cur.Data == nil {
			return nil, "", goneErr(cur)
		}
		next.Data = nil
		return next, ActionDelete, nil
	default: // StateGone
		if cur.Data == nil {
			return nil, "", goneErr(cur)
		}
		// Trash whose window passed but whose payload the purger has not
		// erased yet: erase it now, keeping the original deletedAt.
		next.Data = nil
		return next, ActionPurge, nil
	}
}

type auditNote struct{ action, detail string }

// lifecycleTransition applies a LifecycleChange.
func lifecycleTransition(cur *Record, p Policy, now time.Time, c LifecycleChange, collection, id string) (*Record, []auditNote, error) {
	state := cur.State(now)
	switch state {
	case StateAbsent:
		return nil, nil, notFound(p, id)
	case StateMoved:
		return nil, nil, conflict(cur, "%s was moved to %s.", id, cur.MovedTo)
	case StateLive, StateUnavailable:
	default:
		if c.ExpiresAt.Set || c.UnavailableUntil.Set || c.DeprecatedAt.Set {
			return nil, nil, conflict(cur, "%s is %s: only its alternative may change.", id, state)
		}
	}
	next := cur.Clone()
	next.Version, next.UpdatedAt = cur.Version+1, now
	var notes []auditNote
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return "cleared"
		}
		return t.UTC().Format(time.RFC3339)
	}
	if c.ExpiresAt.Set {
		next.ExpiresAt = c.ExpiresAt.Value.UTC().Truncate(time.Second)
		notes = append(notes, auditNote{ActionExpire, "expiresAt " + stamp(next.ExpiresAt)})
	}
	if c.UnavailableUntil.Set {
		next.UnavailableUntil = c.UnavailableUntil.Value.UTC().Truncate(time.Second)
		notes = append(notes, auditNote{ActionUnavailable, "unavailableUntil " + stamp(next.UnavailableUntil)})
	}
	if c.DeprecatedAt.Set {
		next.DeprecatedAt = c.DeprecatedAt.Value.UTC().Truncate(time.Second)
		notes = append(notes, auditNote{ActionLifecycle, "deprecatedAt " + stamp(next.DeprecatedAt)})
	}
	if c.Alternative.Set {
		next.Alternative = c.Alternative.Value
		alt := c.Alternative.Value
		if alt == "" {
			alt = "cleared"
		}
		notes = append(notes, auditNote{ActionLifecycle, "alternative " + alt})
	}
	if len(notes) == 0 {
		return nil, nil, Errorf(EINVALID, "Nothing to change: give expiresAt, unavailableUntil, deprecatedAt or alternative.")
	}
	return next, notes, nil
}

// restoreTransition brings a soft-deleted record back from the trash.
func restoreTransition(cur *Record, p Policy, now time.Time, id string) (*Record, error) {
	switch cur.State(now) {
	case StateDeleted:
	case StateAbsent:
		return nil, notFound(p, id)
	case StateGone, StateExpired:
		return nil, goneErr(cur)
	case StateMoved:
		return nil, conflict(cur, "%s was moved to %s; nothing to restore.", id, cur.MovedTo)
	default:
		return nil, conflict(cur, "%s is not deleted; nothing to restore.", id)
	}
	next := cur.Clone()
	next.DeletedAt, next.RestorableUntil, next.DeletedBy = time.Time{}, time.Time{}, ""
	next.Reason, next.Alternative = "", ""
	next.Version, next.UpdatedAt = cur.Version+1, now
	return next, nil
}

// moveTransition renames the live record src to the free id to: moved is the
// record under its new id, old the record left behind that answers 308.
// The caller has checked src with mustBeLive; dst is the current record at
// to (nil when absent).
func moveTransition(src, dst *Record, now time.Time, collection, id, to string) (moved, old *Record, err error) {
	if dst != nil {
		return nil, nil, conflict(dst, "The id %s is already taken (%s).", to, dst.State(now))
	}
	moved = src.Clone()
	moved.ID, moved.Version, moved.UpdatedAt = to, 1, now
	old = &Record{
		Collection: collection, ID: id, MovedTo: to,
		Version: src.Version + 1, CreatedAt: src.CreatedAt, UpdatedAt: now,
	}
	return moved, old, nil
}
