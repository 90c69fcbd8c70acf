package gone

import "time"

// hides says whether caller, reading cur, would be told nothing of it: its
// read answers the 404 of an id that never existed (soft-deleted, or
// retired in a collection that conceals), and it may not read the
// lifecycle view (the admin scope). A refused write by that caller must
// then tell no more than the read does.
func hides(caller Caller, p Policy, cur *Record, now time.Time) bool {
	if cur == nil || caller.Can(ScopeAdmin, p.Collection) {
		return false
	}
	return Decide(Input{Record: cur, Now: now, Caller: caller, Policy: p, WithoutPath: true}).Answer == AnswerNotFound
}

// concealedRefusal is the refusal err of a write on cur, as a caller who
// may not learn cur's facts gets it (see hides): the answer the same write
// of an id that never existed would get (ENOTFOUND for a change, a failed
// precondition without a record), computed by running the write's step and
// preconditions again over no record. Where that write would have
// succeeded (a create), the id still cannot be written: a conflict that
// names no fact of the record. Errors that do not come from the record (a
// store that failed, an invalid body) pass unchanged.
func concealedRefusal(err error, caller Caller, p Policy, now time.Time, cur *Record, id string, pre Preconditions,
	step func(*Record) (*Record, []auditNote, error)) error {
	switch ErrorCode(err) {
	case EGONE, ECONFLICT, EPRECONDITION, ENOTFOUND:
	default:
		return err
	}
	if !hides(caller, p, cur, now) {
		return err
	}
	_, _, stepErr := step(nil)
	if absent := pre.check(nil, p, now, id, stepErr); absent != nil {
		return absent
	}
	return Errorf(ECONFLICT, "The id %s cannot be written; choose another.", id)
}
