package gone

import (
	"testing"
	"time"
)

// RFC 9110 §13.2.2's order over one record (version 3, updated 48 h before
// now): If-Match, else If-Unmodified-Since; then If-None-Match. A
// transition that fails for another reason than its content keeps its own
// error; a reusable tombstone counts as absent.
func TestPreconditionsOrder(t *testing.T) {
	live, gone := stateRecord(StateLive), stateRecord(StateGone)
	old, recent := now.Add(-72*time.Hour), now.Add(-time.Hour)
	conflictErr := conflict(live, "x")
	tests := []struct {
		name    string
		pre     Preconditions
		cur     *Record
		p       Policy
		stepErr error
		code    string
	}{
		{"nothing asked", Preconditions{}, live, testPolicy(DiscloseFull, false), nil, ""},
		{"If-Match matches", Preconditions{IfMatch: `"3"`}, live, testPolicy(DiscloseFull, false), nil, ""},
		{"If-Match * on a record", Preconditions{IfMatch: "*"}, live, testPolicy(DiscloseFull, false), nil, ""},
		{"If-Match stale", Preconditions{IfMatch: `"2"`}, live, testPolicy(DiscloseFull, false), nil, EPRECONDITION},
		{"If-Match weak never matches", Preconditions{IfMatch: `W/"3"`}, live, testPolicy(DiscloseFull, false), nil, EPRECONDITION},
		{"If-Match on nothing", Preconditions{IfMatch: "*"}, nil, testPolicy(DiscloseFull, false), nil, EPRECONDITION},
		{"If-Match on a reusable tombstone", Preconditions{IfMatch: `"3"`}, gone, reusePolicy(), nil, EPRECONDITION},
		{"If-Unmodified-Since before the change", Preconditions{IfUnmodifiedSince: old}, live, testPolicy(DiscloseFull, false), nil, EPRECONDITION},
		{"If-Unmodified-Since after the change", Preconditions{IfUnmodifiedSince: recent}, live, testPolicy(DiscloseFull, false), nil, ""},
		{"If-Unmodified-Since ignored under If-Match", Preconditions{IfMatch: `"3"`, IfUnmodifiedSince: old}, live, testPolicy(DiscloseFull, false), nil, ""},
		{"If-Unmodified-Since on nothing is ignored", Preconditions{IfUnmodifiedSince: old}, nil, testPolicy(DiscloseFull, false), nil, ""},
		{"If-None-Match * on a record", Preconditions{IfNoneMatch: "*"}, live, testPolicy(DiscloseFull, false), nil, EPRECONDITION},
		{"If-None-Match * on nothing", Preconditions{IfNoneMatch: "*"}, nil, testPolicy(DiscloseFull, false), nil, ""},
		{"If-None-Match * on a reusable tombstone", Preconditions{IfNoneMatch: "*"}, gone, reusePolicy(), nil, ""},
		{"If-None-Match weak match", Preconditions{IfNoneMatch: `W/"3"`}, live, testPolicy(DiscloseFull, false), nil, EPRECONDITION},
		{"If-None-Match after a passing If-Match", Preconditions{IfMatch: `"3"`, IfNoneMatch: `"3"`}, live, testPolicy(DiscloseFull, false), nil, EPRECONDITION},
		{"a conflict wins over a failed precondition", Preconditions{IfMatch: `"2"`}, live, testPolicy(DiscloseFull, false), conflictErr, ECONFLICT},
		{"a failed precondition wins over bad content", Preconditions{IfMatch: `"2"`}, live, testPolicy(DiscloseFull, false), Errorf(EINVALID, "x"), EPRECONDITION},
		{"bad content stays when preconditions hold", Preconditions{IfMatch: `"3"`}, live, testPolicy(DiscloseFull, false), Errorf(EINVALID, "x"), EINVALID},
	}
	for _, tt := range tests {
		err := tt.pre.check(tt.cur, tt.p, now, "123", tt.stepErr)
		if got := ErrorCode(err); got != tt.code {
			t.Errorf("%s: code %q (%v), want %q", tt.name, got, err, tt.code)
		}
		if e, ok := err.(*Error); ok && e.Code == EPRECONDITION && tt.cur != nil && e.Record == nil && !tt.p.ReusableAt(tt.cur, now) {
			t.Errorf("%s: the 412 carries no record, so no current ETag", tt.name)
		}
	}
}
