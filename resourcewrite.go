package gone

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"
)

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
