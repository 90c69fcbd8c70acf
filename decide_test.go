package gone

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// now is the fixed clock of the decision tests: the seeds' deletion date.
var now = time.Date(2026, 1, 5, 10, 30, 0, 0, time.UTC)

// Cache lifetimes deliberately differ from the defaults, so a test notices
// a decision that ignores the policy.
const (
	testNotFoundMaxAge = 61 * time.Second
	testGoneMaxAge     = 25 * time.Hour
)

var (
	anonymous = Caller{}
	reader    = Caller{Name: "reader", Scopes: []Scope{ScopeRead}}
	writer    = Caller{Name: "writer", Scopes: []Scope{ScopeWrite}}
	admin     = Caller{Name: "root", Scopes: []Scope{ScopeAdmin}}
	// adminElsewhere is an admin token restricted to another collection:
	// on users it is no more than the public.
	adminElsewhere = Caller{Name: "orders-admin", Scopes: []Scope{ScopeAdmin}, Collections: []string{"orders"}}
)

// privileged is the oracle's own list of who sees trash and withheld
// facts on users, kept apart from Caller.Can on purpose.
func privileged(c Caller) bool { return c.Name == "root" }

func testPolicy(d Disclosure, private bool) Policy {
	return Policy{
		Collection:     "users",
		RestoreWindow:  30 * 24 * time.Hour,
		Disclosure:     d,
		NotFoundMaxAge: testNotFoundMaxAge,
		GoneMaxAge:     testGoneMaxAge,
		Private:        private,
	}
}

// stateRecord returns a record that is in state s at now, with every
// lifecycle field a decision might leak filled in. nil for StateAbsent.
func stateRecord(s State) *Record {
	base := func() *Record {
		return &Record{
			Collection: "users", ID: "123",
			Data:    json.RawMessage(`{"name":"Ada"}`),
			Version: 3, CreatedAt: now.Add(-72 * time.Hour), UpdatedAt: now.Add(-48 * time.Hour),
		}
	}
	r := base()
	switch s {
	case StateAbsent:
		return nil
	case StateLive:
		r.ExpiresAt = now.Add(24 * time.Hour)
		r.DeprecatedAt = now.Add(-24 * time.Hour)
		r.Alternative = "/api/users/v2/123"
	case StateUnavailable:
		r.UnavailableUntil = now.Add(time.Hour)
		r.ExpiresAt = now.Add(24 * time.Hour)
	case StateDeleted:
		r.DeletedAt = now.Add(-time.Hour)
		r.RestorableUntil = now.Add(time.Hour)
		r.Reason = "user_request"
		r.Alternative = "/api/users"
		r.DeletedBy = "root"
	case StateGone:
		r.Data = nil
		r.DeletedAt = now.Add(-time.Hour)
		r.Reason = "User requested account deletion"
		r.Alternative = "/api/users"
		r.DeletedBy = "root"
	case StateExpired:
		r.ExpiresAt = now.Add(-time.Hour)
		r.Reason = "promotion_ended"
		r.Alternative = "/api/promotions/current"
	case StateMoved:
		r = &Record{Collection: "users", ID: "123", MovedTo: "456", Version: 4, CreatedAt: r.CreatedAt, UpdatedAt: now.Add(-time.Hour)}
	default:
		panic("unknown state " + s)
	}
	return r
}

var allStates = []State{StateAbsent, StateLive, StateUnavailable, StateDeleted, StateGone, StateExpired, StateMoved}

// expectDecision is docs/design.md §1's table written out: the answer a caller
// gets for a record in state s under (disclosure, private). Path and
// Record are checked separately.
func expectDecision(s State, r *Record, c Caller, disc Disclosure, private bool) Decision {
	want := Decision{State: s}
	if private && c.Anonymous() {
		want.Answer = AnswerUnauthorized
		return want
	}
	notFound := func() Decision {
		want.Answer, want.MaxAge = AnswerNotFound, testNotFoundMaxAge
		return want
	}
	switch s {
	case StateAbsent:
		return notFound()
	case StateLive:
		want.Answer = AnswerOK
		want.Sunset, want.Deprecation, want.Alternative = r.ExpiresAt, r.DeprecatedAt, r.Alternative
	case StateUnavailable:
		want.Answer, want.RetryAfter = AnswerUnavailable, r.UnavailableUntil
	case StateDeleted:
		// The same 404 for every caller: admins see the trash elsewhere.
		return notFound()
	case StateMoved:
		want.Answer, want.Location = AnswerMoved, r.MovedTo
	case StateGone, StateExpired:
		if disc == DiscloseConceal && !privileged(c) {
			return notFound()
		}
		want.Answer, want.MaxAge = AnswerGone, testGoneMaxAge
		want.Expired = s == StateExpired
		want.RetiredAt = r.DeletedAt
		if want.Expired {
			want.RetiredAt = r.ExpiresAt
		}
		want.Alternative = r.Alternative
		if privileged(c) || disc == DiscloseFull {
			want.Reason = r.Reason
		}
	}
	return want
}

// checkDecision compares every field of a decision but Path and Record.
func checkDecision(t *testing.T, got, want Decision) {
	t.Helper()
	if got.Answer != want.Answer {
		t.Errorf("Answer = %q, want %q", got.Answer, want.Answer)
	}
	if got.State != want.State {
		t.Errorf("State = %q, want %q", got.State, want.State)
	}
	if !got.RetiredAt.Equal(want.RetiredAt) {
		t.Errorf("RetiredAt = %v, want %v", got.RetiredAt, want.RetiredAt)
	}
	if got.Expired != want.Expired {
		t.Errorf("Expired = %v, want %v", got.Expired, want.Expired)
	}
	if got.Reason != want.Reason {
		t.Errorf("Reason = %q, want %q", got.Reason, want.Reason)
	}
	if got.Alternative != want.Alternative {
		t.Errorf("Alternative = %q, want %q", got.Alternative, want.Alternative)
	}
	if got.Location != want.Location {
		t.Errorf("Location = %q, want %q", got.Location, want.Location)
	}
	if got.MaxAge != want.MaxAge {
		t.Errorf("MaxAge = %v, want %v", got.MaxAge, want.MaxAge)
	}
	if !got.RetryAfter.Equal(want.RetryAfter) {
		t.Errorf("RetryAfter = %v, want %v", got.RetryAfter, want.RetryAfter)
	}
	if !got.Sunset.Equal(want.Sunset) {
		t.Errorf("Sunset = %v, want %v", got.Sunset, want.Sunset)
	}
	if !got.Deprecation.Equal(want.Deprecation) {
		t.Errorf("Deprecation = %v, want %v", got.Deprecation, want.Deprecation)
	}
}

// checkPath checks that a decision explains itself: the path is not empty
// and, unless the decision short-cut on permission or a store failure, it
// starts with the flowchart's first question.
func checkPath(t *testing.T, d Decision) {
	t.Helper()
	if len(d.Path) == 0 {
		t.Fatalf("Path is empty, want the flowchart branches taken")
	}
	for i, s := range d.Path {
		if s.Question == "" || s.Answer == "" {
			t.Errorf("Path[%d] = %+v, want a question and an answer", i, s)
		}
	}
	switch d.Answer {
	case AnswerUnauthorized:
		if !strings.Contains(d.Path[0].Question, "read the collection") {
			t.Errorf("Path[0].Question = %q, want the permission question", d.Path[0].Question)
		}
		return
	case AnswerUnavailable:
		if d.Path[0].Question == "Did the store answer?" {
			return
		}
	}
	if got, want := d.Path[0].Question, "Resource exists?"; got != want {
		t.Errorf("Path[0].Question = %q, want %q", got, want)
	}
}

func TestDecideMatrix(t *testing.T) {
	callers := []struct {
		name string
		c    Caller
	}{{"anonymous", anonymous}, {"reader", reader}, {"writer", writer}, {"admin", admin}, {"admin of orders", adminElsewhere}}
	for _, s := range allStates {
		for _, c := range callers {
			for _, disc := range []Disclosure{DiscloseFull, DiscloseMinimal, DiscloseConceal} {
				for _, private := range []bool{false, true} {
					vis := "public"
					if private {
						vis = "private"
					}
					name := fmt.Sprintf("%s/%s/%s/%s", s, c.name, disc, vis)
					t.Run(name, func(t *testing.T) {
						r := stateRecord(s)
						if got := r.State(now); got != s {
							t.Fatalf("fixture State = %q, want %q", got, s)
						}
						in := Input{Record: r, Now: now, Caller: c.c, Policy: testPolicy(disc, private)}
						got := Decide(in)
						want := expectDecision(s, r, c.c, disc, private)
						checkDecision(t, got, want)
						checkPath(t, got)
						switch got.Answer {
						case AnswerOK:
							if got.Record != r {
								t.Errorf("Record = %p, want the stored record %p", got.Record, r)
							}
						default:
							if got.Record != nil {
								t.Errorf("Record = %+v, want nil for answer %q", got.Record, got.Answer)
							}
						}
					})
				}
			}
		}
	}
}

// TestDecideConcealIsNeverExisted checks docs/design.md invariant 7 at the
// decision level: where policy says 404, the public decision for a retired
// or trashed id equals the one for an id that never existed, but for the
// true State and Until, which httpapi never shows (Until only says how
// long the same bytes may be sent again).
func TestDecideConcealIsNeverExisted(t *testing.T) {
	p := testPolicy(DiscloseConceal, false)
	never := Decide(Input{Now: now, Caller: anonymous, Policy: p})
	for _, s := range []State{StateDeleted, StateGone, StateExpired} {
		got := Decide(Input{Record: stateRecord(s), Now: now, Caller: anonymous, Policy: p})
		got.State, got.Path, got.Until = never.State, never.Path, never.Until
		if fmt.Sprint(got) != fmt.Sprint(never) {
			t.Errorf("%s under conceal: decision = %+v, want the never-existed %+v", s, got, never)
		}
	}
}

func TestDecideStoreFailed(t *testing.T) {
	for _, s := range allStates {
		for _, c := range []Caller{anonymous, admin} {
			t.Run(fmt.Sprintf("%s/admin=%v", s, privileged(c)), func(t *testing.T) {
				got := Decide(Input{Record: stateRecord(s), StoreFailed: true, Now: now, Caller: c, Policy: testPolicy(DiscloseFull, false)})
				if got.Answer != AnswerUnavailable {
					t.Errorf("Answer = %q, want %q: never 404 or 410 when unsure", got.Answer, AnswerUnavailable)
				}
				if want := now.Add(UndecidableRetry); !got.RetryAfter.Equal(want) {
					t.Errorf("RetryAfter = %v, want %v", got.RetryAfter, want)
				}
				if got.MaxAge != 0 || got.Reason != "" || got.Record != nil || got.Location != "" {
					t.Errorf("decision = %+v, want nothing about the id", got)
				}
				if len(got.Path) != 1 || got.Path[0].Question != "Did the store answer?" {
					t.Errorf("Path = %+v, want the single store question", got.Path)
				}
			})
		}
	}
	// Permission still comes first: a private collection answers 401 to
	// an anonymous caller even when the store is down.
	got := Decide(Input{StoreFailed: true, Now: now, Caller: anonymous, Policy: testPolicy(DiscloseFull, true)})
	if got.Answer != AnswerUnauthorized {
		t.Errorf("private, anonymous, store failed: Answer = %q, want %q", got.Answer, AnswerUnauthorized)
	}
}

// TestDecideBoundaries pins every time boundary to the second: trash
// lapsing, expiry, unavailability ending and the reuse quarantine.
func TestDecideBoundaries(t *testing.T) {
	deletedAt := now.Add(-30 * 24 * time.Hour)
	trash := &Record{
		Collection: "users", ID: "123", Data: json.RawMessage(`{}`), Version: 2,
		DeletedAt: deletedAt, RestorableUntil: now, Reason: "user_request", Alternative: "/api/users",
	}
	expiring := &Record{Collection: "promotions", ID: "summer-sale-2025", Data: json.RawMessage(`{}`), Version: 1,
		ExpiresAt: now, Alternative: "/api/promotions/current"}
	unavailable := &Record{Collection: "users", ID: "123", Data: json.RawMessage(`{}`), Version: 1, UnavailableUntil: now}
	gone := &Record{Collection: "users", ID: "123", Version: 2, DeletedAt: now.Add(-365 * 24 * time.Hour), Reason: "spam"}

	full := testPolicy(DiscloseFull, false)
	quarantine := full
	quarantine.ReuseAfter = 365 * 24 * time.Hour

	tests := []struct {
		name   string
		r      *Record
		p      Policy
		c      Caller
		at     time.Time
		answer Answer
		state  State
		// retiredAt is checked for AnswerGone only.
		retiredAt time.Time
		expired   bool
	}{
		{"trash one second before the window ends is 404", trash, full, anonymous, now.Add(-time.Second), AnswerNotFound, StateDeleted, time.Time{}, false},
		{"trash one nanosecond before the window ends is 404", trash, full, anonymous, now.Add(-time.Nanosecond), AnswerNotFound, StateDeleted, time.Time{}, false},
		{"trash one second before the window ends is 404 for admin too", trash, full, admin, now.Add(-time.Second), AnswerNotFound, StateDeleted, time.Time{}, false},
		{"trash at RestorableUntil is 410", trash, full, anonymous, now, AnswerGone, StateGone, now, false},
		{"trash at RestorableUntil is 410 for admin", trash, full, admin, now, AnswerGone, StateGone, now, false},
		{"trash after RestorableUntil is 410", trash, full, anonymous, now.Add(time.Hour), AnswerGone, StateGone, now, false},
		{"expiry one second before ExpiresAt is 200", expiring, full, anonymous, now.Add(-time.Second), AnswerOK, StateLive, time.Time{}, false},
		{"expiry one nanosecond before ExpiresAt is 200", expiring, full, anonymous, now.Add(-time.Nanosecond), AnswerOK, StateLive, time.Time{}, false},
		{"expiry at ExpiresAt is 410", expiring, full, anonymous, now, AnswerGone, StateExpired, now, true},
		{"expiry a year after ExpiresAt is 410", expiring, full, anonymous, now.Add(365 * 24 * time.Hour), AnswerGone, StateExpired, now, true},
		{"unavailable one second before UnavailableUntil is 503", unavailable, full, anonymous, now.Add(-time.Second), AnswerUnavailable, StateUnavailable, time.Time{}, false},
		{"unavailable at UnavailableUntil is 200", unavailable, full, anonymous, now, AnswerOK, StateLive, time.Time{}, false},
		{"never-reuse gone a year on is 410", gone, full, anonymous, now, AnswerGone, StateGone, gone.DeletedAt, false},
		{"quarantine one second before its end is 410", gone, quarantine, anonymous, now.Add(-time.Second), AnswerGone, StateGone, gone.DeletedAt, false},
		{"quarantine at its end is 404", gone, quarantine, anonymous, now, AnswerNotFound, StateGone, time.Time{}, false},
		{"quarantine at its end is 404 for admin too", gone, quarantine, admin, now, AnswerNotFound, StateGone, time.Time{}, false},
		{"expired quarantine at its end is 404", expiring, func() Policy { p := full; p.ReuseAfter = time.Hour; return p }(), anonymous, now.Add(time.Hour), AnswerNotFound, StateExpired, time.Time{}, false},
		{"expired quarantine before its end is 410", expiring, func() Policy { p := full; p.ReuseAfter = time.Hour; return p }(), anonymous, now.Add(time.Hour - time.Second), AnswerGone, StateExpired, now, true},
		// The quarantine counts from when the id started answering 410,
		// not from the soft delete: lapsed trash still answers 410 for
		// the whole quarantine.
		{"lapsed trash under a short quarantine is 410", trash, func() Policy { p := full; p.ReuseAfter = 7 * 24 * time.Hour; return p }(), anonymous, now, AnswerGone, StateGone, now, false},
		{"lapsed trash after a short quarantine is 404", trash, func() Policy { p := full; p.ReuseAfter = 7 * 24 * time.Hour; return p }(), anonymous, now.Add(7 * 24 * time.Hour), AnswerNotFound, StateGone, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decide(Input{Record: tt.r, Now: tt.at, Caller: tt.c, Policy: tt.p})
			if got.Answer != tt.answer {
				t.Errorf("Answer = %q, want %q", got.Answer, tt.answer)
			}
			if got.State != tt.state {
				t.Errorf("State = %q, want %q", got.State, tt.state)
			}
			if got.Answer == AnswerGone {
				if !got.RetiredAt.Equal(tt.retiredAt) {
					t.Errorf("RetiredAt = %v, want %v", got.RetiredAt, tt.retiredAt)
				}
				if got.Expired != tt.expired {
					t.Errorf("Expired = %v, want %v", got.Expired, tt.expired)
				}
				if got.MaxAge != testGoneMaxAge {
					t.Errorf("MaxAge = %v, want %v", got.MaxAge, testGoneMaxAge)
				}
			}
			if got.Answer == AnswerNotFound && got.MaxAge != testNotFoundMaxAge {
				t.Errorf("MaxAge = %v, want %v", got.MaxAge, testNotFoundMaxAge)
			}
			checkPath(t, got)
		})
	}
}

func TestDecidePathExplainsBranch(t *testing.T) {
	lapsed := stateRecord(StateDeleted)
	lapsed.RestorableUntil = now
	quarantine := testPolicy(DiscloseFull, false)
	quarantine.ReuseAfter = time.Minute
	tests := []struct {
		name string
		r    *Record
		p    Policy
		c    Caller
		// want are substrings of the path's answers, in order.
		want []string
	}{
		{"never existed", nil, testPolicy(DiscloseFull, false), anonymous, []string{"No", "Never"}},
		{"live", stateRecord(StateLive), testPolicy(DiscloseFull, false), anonymous, []string{"Yes"}},
		{"unavailable", stateRecord(StateUnavailable), testPolicy(DiscloseFull, false), anonymous, []string{"Yes", "temporarily unavailable"}},
		{"moved", stateRecord(StateMoved), testPolicy(DiscloseFull, false), anonymous, []string{"No", "moved"}},
		{"trash", stateRecord(StateDeleted), testPolicy(DiscloseFull, false), anonymous, []string{"No", "deleted", "soft-deleted"}},
		{"gone", stateRecord(StateGone), testPolicy(DiscloseFull, false), anonymous, []string{"No", "deleted", "Yes"}},
		{"lapsed trash", lapsed, testPolicy(DiscloseFull, false), anonymous, []string{"No", "deleted", "restore window passed"}},
		{"expired", stateRecord(StateExpired), testPolicy(DiscloseFull, false), anonymous, []string{"No", "expired", "Yes"}},
		{"concealed", stateRecord(StateGone), testPolicy(DiscloseConceal, false), anonymous, []string{"No", "deleted", "Yes", "conceals"}},
		{"quarantine passed", stateRecord(StateGone), quarantine, anonymous, []string{"No", "deleted", "Yes", "free again"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decide(Input{Record: tt.r, Now: now, Caller: tt.c, Policy: tt.p})
			if len(got.Path) != len(tt.want) {
				t.Fatalf("Path = %+v, want %d steps", got.Path, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got.Path[i].Answer, w) {
					t.Errorf("Path[%d].Answer = %q, want it to contain %q", i, got.Path[i].Answer, w)
				}
			}
		})
	}
}

// TestDecideDoesNotMutate checks that Decide is pure: the record it was
// given is unchanged.
func TestDecideDoesNotMutate(t *testing.T) {
	for _, s := range allStates {
		r := stateRecord(s)
		before := fmt.Sprintf("%+v", r)
		Decide(Input{Record: r, Now: now, Caller: admin, Policy: testPolicy(DiscloseFull, false)})
		if after := fmt.Sprintf("%+v", r); after != before {
			t.Errorf("%s: Decide changed the record:\n got %s\nwant %s", s, after, before)
		}
	}
}
