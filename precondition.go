package gone

import (
	"strings"
	"time"
)

// Preconditions are the conditional request headers of a write (RFC 9110
// §13.1). The Service evaluates them inside the write's transaction, against
// the record it has just read and locked, so the check and the write are
// one atomic step: no other write can slip between them.
type Preconditions struct {
	// IfMatch is the If-Match list of entity tags, or "*"; "" when absent.
	IfMatch string
	// IfNoneMatch is the If-None-Match list, or "*"; "" when absent.
	// "*" makes a PUT create-only.
	IfNoneMatch string
	// IfUnmodifiedSince is the parsed If-Unmodified-Since date; the zero
	// time when absent (or unparsable, which RFC 9110 says to ignore).
	IfUnmodifiedSince time.Time
}

// check runs a write's transition under its preconditions. cur is the
// record the write targets (nil when absent) and stepErr the transition's
// own answer. As RFC 9110 §13.2.1 requires, preconditions are ignored when
// the write would fail anyway for another reason than its content (an
// unknown id stays 404, a retired one 409 or 410); otherwise a failed
// precondition is EPRECONDITION, carrying the record so the answer can name
// its current ETag.
func (pre Preconditions) check(cur *Record, p Policy, now time.Time, id string, stepErr error) error {
	if stepErr != nil && ErrorCode(stepErr) != EINVALID {
		return stepErr
	}
	if cur != nil && cur.Retired(now) && p.ReusableAt(cur, now) {
		cur = nil // a tombstone whose id is free again: nothing is there
	}
	if err := pre.evaluate(cur, id); err != nil {
		return err
	}
	return stepErr
}

// evaluate follows RFC 9110 §13.2.2: If-Match, or If-Unmodified-Since when
// there is no If-Match; then If-None-Match. For a write a matching
// If-None-Match fails too. cur is nil when there is no current record.
func (pre Preconditions) evaluate(cur *Record, id string) error {
	failed := func(format string, args ...any) error {
		e := Errorf(EPRECONDITION, format, args...)
		e.Record = cur
		return e
	}
	switch {
	case pre.IfMatch != "" && cur == nil:
		return failed("If-Match was given but %s does not exist.", id)
	case pre.IfMatch != "" && !ETagMatch(pre.IfMatch, cur.ETag(), false):
		return failed("The resource has changed: its ETag is %s.", cur.ETag())
	case pre.IfMatch == "" && !pre.IfUnmodifiedSince.IsZero() && cur != nil &&
		cur.UpdatedAt.Truncate(time.Second).After(pre.IfUnmodifiedSince):
		return failed("The resource was modified after If-Unmodified-Since: its ETag is %s.", cur.ETag())
	}
	if pre.IfNoneMatch != "" && cur != nil && ETagMatch(pre.IfNoneMatch, cur.ETag(), true) {
		return failed("%s already exists with ETag %s, and If-None-Match says not to overwrite it.", id, cur.ETag())
	}
	return nil
}

// ETagMatch reports whether an If-Match or If-None-Match list matches etag.
// "*" matches any. If-None-Match compares weakly (a W/ prefix is ignored);
// If-Match compares strongly (RFC 9110 §8.8.3.2).
func ETagMatch(list, etag string, weak bool) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		if weak {
			t = strings.TrimPrefix(t, "W/")
		}
		if t == etag {
			return true
		}
	}
	return false
}
