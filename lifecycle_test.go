package gone

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

// lapsedTrash is a soft-deleted record whose restore window passed before
// now but whose payload the purger has not erased yet.
func lapsedTrash() *Record {
	r := stateRecord(StateDeleted)
	r.DeletedAt = now.Add(-31 * 24 * time.Hour)
	r.RestorableUntil = now.Add(-24 * time.Hour)
	return r
}

// reusePolicy has a quarantine that stateRecord(StateGone) has passed.
func reusePolicy() Policy {
	p := testPolicy(DiscloseFull, false)
	p.ReuseAfter = time.Minute
	return p
}

// checkCode checks err's code, and that a conflict or gone error carries
// the record behind it (the tombstone's facts for the 409 body).
func checkCode(t *testing.T, err error, want string, cur *Record) {
	t.Helper()
	if got := ErrorCode(err); got != want {
		t.Fatalf("error = %v, code %q, want code %q", err, got, want)
	}
	if want == ECONFLICT || want == EGONE {
		var e *Error
		if !errors.As(err, &e) || e.Record == nil {
			t.Fatalf("error = %#v, want one that carries the record", err)
		}
		if e.Record.ID != cur.ID {
			t.Errorf("error record ID = %q, want %q", e.Record.ID, cur.ID)
		}
	}
}

// unchanged guards against a transition that writes through to the
// caller's record instead of a clone.
func unchanged(t *testing.T, cur *Record) func() {
	t.Helper()
	before := fmt.Sprintf("%+v %s", cur, func() []byte {
		if cur == nil {
			return nil
		}
		return cur.Data
	}())
	return func() {
		t.Helper()
		after := fmt.Sprintf("%+v %s", cur, func() []byte {
			if cur == nil {
				return nil
			}
			return cur.Data
		}())
		if after != before {
			t.Errorf("transition changed its input record:\n got %s\nwant %s", after, before)
		}
	}
}

func TestPutTransition(t *testing.T) {
	data := json.RawMessage(`{"name":"Grace"}`)
	quarantined := testPolicy(DiscloseFull, false)
	quarantined.ReuseAfter = 365 * 24 * time.Hour
	lapsedReusable := lapsedTrash()
	lapsedReusable.Data = nil
	tests := []struct {
		name    string
		cur     *Record
		p       Policy
		ifMatch string
		code    string
		action  string
	}{
		{"absent creates", nil, testPolicy(DiscloseFull, false), "", "", ActionCreate},
		{"absent with If-Match fails", nil, testPolicy(DiscloseFull, false), `"1"`, EPRECONDITION, ""},
		{"absent with If-Match * fails", nil, testPolicy(DiscloseFull, false), "*", EPRECONDITION, ""},
		{"live replaces", stateRecord(StateLive), testPolicy(DiscloseFull, false), "", "", ActionReplace},
		{"live with If-Match * replaces", stateRecord(StateLive), testPolicy(DiscloseFull, false), "*", "", ActionReplace},
		{"live with matching If-Match replaces", stateRecord(StateLive), testPolicy(DiscloseFull, false), `"3"`, "", ActionReplace},
		{"live with stale If-Match fails", stateRecord(StateLive), testPolicy(DiscloseFull, false), `"2"`, EPRECONDITION, ""},
		{"live with weak If-Match fails", stateRecord(StateLive), testPolicy(DiscloseFull, false), `W/"3"`, EPRECONDITION, ""},
		{"unavailable replaces", stateRecord(StateUnavailable), testPolicy(DiscloseFull, false), "", "", ActionReplace},
		{"trash conflicts", stateRecord(StateDeleted), testPolicy(DiscloseFull, false), "", ECONFLICT, ""},
		{"moved conflicts", stateRecord(StateMoved), testPolicy(DiscloseFull, false), "", ECONFLICT, ""},
		{"gone conflicts", stateRecord(StateGone), testPolicy(DiscloseFull, false), "", ECONFLICT, ""},
		{"gone conflicts even with If-Match *", stateRecord(StateGone), testPolicy(DiscloseFull, false), "*", ECONFLICT, ""},
		{"expired conflicts", stateRecord(StateExpired), testPolicy(DiscloseFull, false), "", ECONFLICT, ""},
		{"lapsed trash conflicts", lapsedTrash(), testPolicy(DiscloseFull, false), "", ECONFLICT, ""},
		{"gone in quarantine conflicts", stateRecord(StateGone), quarantined, "", ECONFLICT, ""},
		{"reusable tombstone creates", stateRecord(StateGone), reusePolicy(), "", "", ActionCreate},
		{"reusable expired id creates", stateRecord(StateExpired), reusePolicy(), "", "", ActionCreate},
		{"reusable tombstone with If-Match fails", stateRecord(StateGone), reusePolicy(), `"3"`, EPRECONDITION, ""},
		{"lapsed trash within quarantine of its lapse conflicts", lapsedReusable, func() Policy { p := testPolicy(DiscloseFull, false); p.ReuseAfter = 25 * time.Hour; return p }(), "", ECONFLICT, ""},
		{"lapsed trash after quarantine of its lapse creates", lapsedReusable, func() Policy { p := testPolicy(DiscloseFull, false); p.ReuseAfter = 24 * time.Hour; return p }(), "", "", ActionCreate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer unchanged(t, tt.cur)()
			next, action, err := putTransition(tt.cur, tt.p, now, "users", "123", data)
			if err = (Preconditions{IfMatch: tt.ifMatch}).check(tt.cur, tt.p, now, "123", err); err != nil {
				next, action = nil, ""
			}
			if tt.code != "" {
				checkCode(t, err, tt.code, tt.cur)
				if next != nil || action != "" {
					t.Errorf("putTransition = %+v, %q; want nothing on error", next, action)
				}
				return
			}
			if err != nil {
				t.Fatalf("putTransition: %v", err)
			}
			if action != tt.action {
				t.Errorf("action = %q, want %q", action, tt.action)
			}
			if string(next.Data) != string(data) {
				t.Errorf("Data = %s, want %s", next.Data, data)
			}
			if got := next.State(now); got != StateLive && !(tt.cur.State(now) == StateUnavailable && got == StateUnavailable) {
				t.Errorf("State = %q, want live", got)
			}
			if !next.UpdatedAt.Equal(now) {
				t.Errorf("UpdatedAt = %v, want %v", next.UpdatedAt, now)
			}
			wantVersion := int64(1)
			if tt.cur != nil {
				wantVersion = tt.cur.Version + 1
			}
			if next.Version != wantVersion {
				t.Errorf("Version = %d, want %d", next.Version, wantVersion)
			}
			switch action {
			case ActionCreate:
				// A created record starts a new life: nothing of the
				// tombstone's lifecycle carries over.
				want := Record{Collection: "users", ID: "123", Data: data, Version: wantVersion, CreatedAt: now, UpdatedAt: now}
				if fmt.Sprintf("%+v", *next) != fmt.Sprintf("%+v", want) {
					t.Errorf("created record = %+v, want %+v", *next, want)
				}
			case ActionReplace:
				// A replace keeps the lifecycle metadata.
				if !next.CreatedAt.Equal(tt.cur.CreatedAt) || !next.ExpiresAt.Equal(tt.cur.ExpiresAt) ||
					!next.UnavailableUntil.Equal(tt.cur.UnavailableUntil) || next.Alternative != tt.cur.Alternative ||
					!next.DeprecatedAt.Equal(tt.cur.DeprecatedAt) {
					t.Errorf("replaced record = %+v, want the lifecycle fields of %+v", next, tt.cur)
				}
			}
		})
	}
}

func TestDeleteTransition(t *testing.T) {
	window := 30 * 24 * time.Hour
	soft := testPolicy(DiscloseFull, false)
	soft.RestoreWindow = window
	hard := soft
	hard.RestoreWindow = 0
	erasedExpired := stateRecord(StateExpired)
	erasedExpired.Data = nil
	opt := DeleteOptions{Reason: "user_request", Alternative: "/api/users"}
	permanent := opt
	permanent.Permanent = true

	type want struct {
		code   string
		action string
		// noChange: the transition returns a nil record and no error.
		noChange bool
		state    State
		erased   bool
		// deletedAt and restorableUntil of the next record.
		deletedAt, restorableUntil time.Time
	}
	tests := []struct {
		name string
		cur  *Record
		p    Policy
		opt  DeleteOptions
		want want
	}{
		{"absent", nil, soft, opt, want{code: ENOTFOUND}},
		{"live soft", stateRecord(StateLive), soft, opt, want{action: ActionSoftDelete, state: StateDeleted, deletedAt: now, restorableUntil: now.Add(window)}},
		{"live permanent", stateRecord(StateLive), soft, permanent, want{action: ActionDelete, state: StateGone, erased: true, deletedAt: now}},
		{"live without window", stateRecord(StateLive), hard, opt, want{action: ActionDelete, state: StateGone, erased: true, deletedAt: now}},
		{"unavailable soft", stateRecord(StateUnavailable), soft, opt, want{action: ActionSoftDelete, state: StateDeleted, deletedAt: now, restorableUntil: now.Add(window)}},
		{"unavailable permanent", stateRecord(StateUnavailable), soft, permanent, want{action: ActionDelete, state: StateGone, erased: true, deletedAt: now}},
		{"trash again", stateRecord(StateDeleted), soft, opt, want{noChange: true}},
		{"trash permanent", stateRecord(StateDeleted), soft, permanent, want{action: ActionDelete, state: StateGone, erased: true, deletedAt: now}},
		{"moved", stateRecord(StateMoved), soft, opt, want{action: ActionDelete, state: StateGone, erased: true, deletedAt: now}},
		{"moved permanent", stateRecord(StateMoved), soft, permanent, want{action: ActionDelete, state: StateGone, erased: true, deletedAt: now}},
		{"expired with payload", stateRecord(StateExpired), soft, opt, want{action: ActionDelete, state: StateExpired, erased: true}},
		{"expired erased", erasedExpired, soft, permanent, want{code: EGONE}},
		{"gone", stateRecord(StateGone), soft, opt, want{code: EGONE}},
		{"gone permanent", stateRecord(StateGone), soft, permanent, want{code: EGONE}},
		{"lapsed trash purges", lapsedTrash(), soft, opt, want{action: ActionPurge, state: StateGone, erased: true, deletedAt: lapsedTrash().DeletedAt, restorableUntil: lapsedTrash().RestorableUntil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer unchanged(t, tt.cur)()
			next, action, err := deleteTransition(tt.cur, tt.p, now, admin, tt.opt, "users", "123")
			switch {
			case tt.want.code != "":
				checkCode(t, err, tt.want.code, tt.cur)
				if next != nil {
					t.Errorf("next = %+v, want nil on error", next)
				}
				return
			case err != nil:
				t.Fatalf("deleteTransition: %v", err)
			case tt.want.noChange:
				if next != nil || action != "" {
					t.Errorf("deleteTransition = %+v, %q; want no change", next, action)
				}
				return
			}
			if action != tt.want.action {
				t.Errorf("action = %q, want %q", action, tt.want.action)
			}
			if got := next.State(now); got != tt.want.state {
				t.Errorf("State = %q, want %q", got, tt.want.state)
			}
			if tt.want.erased != (next.Data == nil) {
				t.Errorf("Data = %s, want erased %v", next.Data, tt.want.erased)
			}
			if !next.DeletedAt.Equal(tt.want.deletedAt) {
				t.Errorf("DeletedAt = %v, want %v", next.DeletedAt, tt.want.deletedAt)
			}
			if !next.RestorableUntil.Equal(tt.want.restorableUntil) {
				t.Errorf("RestorableUntil = %v, want %v", next.RestorableUntil, tt.want.restorableUntil)
			}
			if next.Version != tt.cur.Version+1 || !next.UpdatedAt.Equal(now) {
				t.Errorf("Version, UpdatedAt = %d, %v; want %d, %v", next.Version, next.UpdatedAt, tt.cur.Version+1, now)
			}
			if next.Reason != tt.opt.Reason || next.Alternative != tt.opt.Alternative {
				t.Errorf("Reason, Alternative = %q, %q; want %q, %q", next.Reason, next.Alternative, tt.opt.Reason, tt.opt.Alternative)
			}
			if next.MovedTo != "" {
				t.Errorf("MovedTo = %q, want cleared", next.MovedTo)
			}
			if !next.DeletedAt.IsZero() && next.DeletedBy != admin.Name && action != ActionPurge {
				t.Errorf("DeletedBy = %q, want %q", next.DeletedBy, admin.Name)
			}
		})
	}
}

// TestDeleteKeepsReasonWhenNoneGiven: a delete without a reason keeps the
// one the record already had (for example from the soft delete).
func TestDeleteKeepsReasonWhenNoneGiven(t *testing.T) {
	next, _, err := deleteTransition(stateRecord(StateDeleted), testPolicy(DiscloseFull, false), now, admin, DeleteOptions{Permanent: true}, "users", "123")
	if err != nil {
		t.Fatal(err)
	}
	if want := stateRecord(StateDeleted); next.Reason != want.Reason || next.Alternative != want.Alternative {
		t.Errorf("Reason, Alternative = %q, %q; want %q, %q", next.Reason, next.Alternative, want.Reason, want.Alternative)
	}
}

func TestRestoreTransition(t *testing.T) {
	tests := []struct {
		name string
		cur  *Record
		code string
		want State
	}{
		{"absent", nil, ENOTFOUND, ""},
		{"live", stateRecord(StateLive), ECONFLICT, ""},
		{"unavailable", stateRecord(StateUnavailable), ECONFLICT, ""},
		{"moved", stateRecord(StateMoved), ECONFLICT, ""},
		{"gone", stateRecord(StateGone), EGONE, ""},
		{"expired", stateRecord(StateExpired), EGONE, ""},
		{"lapsed trash", lapsedTrash(), EGONE, ""},
		{"trash", stateRecord(StateDeleted), "", StateLive},
		{"trash at the last second of its window", func() *Record { r := stateRecord(StateDeleted); r.RestorableUntil = now.Add(time.Second); return r }(), "", StateLive},
		{"trash at the end of its window", func() *Record { r := stateRecord(StateDeleted); r.RestorableUntil = now; return r }(), EGONE, ""},
		// Expiry passed while the record was in the trash: restoring it
		// brings back an expired record, which answers 410.
		{"trash whose expiry passed", func() *Record { r := stateRecord(StateDeleted); r.ExpiresAt = now.Add(-time.Minute); return r }(), "", StateExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer unchanged(t, tt.cur)()
			next, err := restoreTransition(tt.cur, testPolicy(DiscloseFull, false), now, "123")
			if tt.code != "" {
				checkCode(t, err, tt.code, tt.cur)
				return
			}
			if err != nil {
				t.Fatalf("restoreTransition: %v", err)
			}
			if got := next.State(now); got != tt.want {
				t.Errorf("State = %q, want %q", got, tt.want)
			}
			if !next.DeletedAt.IsZero() || !next.RestorableUntil.IsZero() || next.DeletedBy != "" || next.Reason != "" || next.Alternative != "" {
				t.Errorf("restored record = %+v, want the delete's facts cleared", next)
			}
			if string(next.Data) != string(tt.cur.Data) {
				t.Errorf("Data = %s, want %s", next.Data, tt.cur.Data)
			}
			if next.Version != tt.cur.Version+1 || !next.UpdatedAt.Equal(now) {
				t.Errorf("Version, UpdatedAt = %d, %v; want %d, %v", next.Version, next.UpdatedAt, tt.cur.Version+1, now)
			}
		})
	}
}

func TestMustBeLive(t *testing.T) {
	want := map[State]string{
		StateAbsent: ENOTFOUND, StateLive: "", StateUnavailable: "", StateDeleted: ECONFLICT,
		StateGone: EGONE, StateExpired: EGONE, StateMoved: ECONFLICT,
	}
	for _, s := range allStates {
		err := mustBeLive(stateRecord(s), testPolicy(DiscloseFull, false), now, "users", "123")
		if got := ErrorCode(err); got != want[s] {
			t.Errorf("mustBeLive(%s) = %v, want code %q", s, err, want[s])
		}
	}
	err := mustBeLive(nil, Policy{Collection: "users", Texts: map[string]Texts{"en": {Noun: "User"}}}, now, "users", "999")
	if got, want := ErrorMessage(err), "User with ID 999 does not exist"; got != want {
		t.Errorf("mustBeLive(absent) message = %q, want the seeds' %q", got, want)
	}
}

func TestMoveTransition(t *testing.T) {
	src := stateRecord(StateLive)
	defer unchanged(t, src)()
	moved, old, err := moveTransition(src, nil, now, "users", "123", "456")
	if err != nil {
		t.Fatalf("moveTransition: %v", err)
	}
	if moved.ID != "456" || moved.Version != 1 || string(moved.Data) != string(src.Data) || !moved.UpdatedAt.Equal(now) {
		t.Errorf("moved = %+v, want src's data under 456 at version 1", moved)
	}
	if moved.State(now) != StateLive {
		t.Errorf("moved State = %q, want live", moved.State(now))
	}
	if old.ID != "123" || old.MovedTo != "456" || old.Data != nil || old.Version != src.Version+1 {
		t.Errorf("old = %+v, want a payload-free record of 123 pointing at 456", old)
	}
	d := Decide(Input{Record: old, Now: now, Caller: anonymous, Policy: testPolicy(DiscloseFull, false)})
	if d.Answer != AnswerMoved || d.Location != "456" {
		t.Errorf("Decide(old) = %q to %q, want %q to 456", d.Answer, d.Location, AnswerMoved)
	}
	for _, s := range allStates[1:] {
		dst := stateRecord(s)
		dst.ID = "456"
		if _, _, err := moveTransition(src, dst, now, "users", "123", "456"); ErrorCode(err) != ECONFLICT {
			t.Errorf("move onto %s id: error = %v, want code %q", s, err, ECONFLICT)
		}
	}
}

func TestLifecycleTransition(t *testing.T) {
	at := func(d time.Duration) Optional[time.Time] { return Optional[time.Time]{Set: true, Value: now.Add(d)} }
	clear := Optional[time.Time]{Set: true}
	alt := Optional[string]{Set: true, Value: "/api/users/v2"}
	tests := []struct {
		name   string
		cur    *Record
		change LifecycleChange
		code   string
		state  State // after the change
		notes  []string
	}{
		{"absent", nil, LifecycleChange{ExpiresAt: at(time.Hour)}, ENOTFOUND, "", nil},
		{"moved", stateRecord(StateMoved), LifecycleChange{Alternative: alt}, ECONFLICT, "", nil},
		{"live nothing", stateRecord(StateLive), LifecycleChange{}, EINVALID, "", nil},
		{"live schedule expiry", stateRecord(StateLive), LifecycleChange{ExpiresAt: at(time.Hour)}, "", StateLive, []string{ActionExpire}},
		{"live clear expiry", stateRecord(StateLive), LifecycleChange{ExpiresAt: clear}, "", StateLive, []string{ActionExpire}},
		{"live expire now", stateRecord(StateLive), LifecycleChange{ExpiresAt: at(0)}, "", StateExpired, []string{ActionExpire}},
		{"live expire in the past", stateRecord(StateLive), LifecycleChange{ExpiresAt: at(-time.Hour)}, "", StateExpired, []string{ActionExpire}},
		{"live unavailable", stateRecord(StateLive), LifecycleChange{UnavailableUntil: at(time.Hour)}, "", StateUnavailable, []string{ActionUnavailable}},
		{"live deprecate", stateRecord(StateLive), LifecycleChange{DeprecatedAt: at(0)}, "", StateLive, []string{ActionLifecycle}},
		{"live alternative", stateRecord(StateLive), LifecycleChange{Alternative: alt}, "", StateLive, []string{ActionLifecycle}},
		{"live everything", stateRecord(StateLive), LifecycleChange{ExpiresAt: at(time.Hour), UnavailableUntil: at(time.Minute), DeprecatedAt: at(0), Alternative: alt}, "", StateUnavailable, []string{ActionExpire, ActionUnavailable, ActionLifecycle, ActionLifecycle}},
		{"unavailable back early", stateRecord(StateUnavailable), LifecycleChange{UnavailableUntil: clear}, "", StateLive, []string{ActionUnavailable}},
		{"trash expiry", stateRecord(StateDeleted), LifecycleChange{ExpiresAt: at(time.Hour)}, ECONFLICT, "", nil},
		{"trash unavailable", stateRecord(StateDeleted), LifecycleChange{UnavailableUntil: at(time.Hour)}, ECONFLICT, "", nil},
		{"trash alternative", stateRecord(StateDeleted), LifecycleChange{Alternative: alt}, "", StateDeleted, []string{ActionLifecycle}},
		{"gone expiry", stateRecord(StateGone), LifecycleChange{ExpiresAt: at(time.Hour)}, ECONFLICT, "", nil},
		{"gone deprecate", stateRecord(StateGone), LifecycleChange{DeprecatedAt: at(0)}, ECONFLICT, "", nil},
		{"gone alternative", stateRecord(StateGone), LifecycleChange{Alternative: alt}, "", StateGone, []string{ActionLifecycle}},
		{"gone nothing", stateRecord(StateGone), LifecycleChange{}, EINVALID, "", nil},
		{"expired clear expiry", stateRecord(StateExpired), LifecycleChange{ExpiresAt: clear}, ECONFLICT, "", nil},
		{"expired move expiry later", stateRecord(StateExpired), LifecycleChange{ExpiresAt: at(time.Hour)}, ECONFLICT, "", nil},
		{"expired move expiry earlier", stateRecord(StateExpired), LifecycleChange{ExpiresAt: at(-48 * time.Hour)}, ECONFLICT, "", nil},
		{"expired expiry with alternative", stateRecord(StateExpired), LifecycleChange{ExpiresAt: clear, Alternative: alt}, ECONFLICT, "", nil},
		{"expired unavailable", stateRecord(StateExpired), LifecycleChange{UnavailableUntil: at(time.Hour)}, ECONFLICT, "", nil},
		{"expired alternative", stateRecord(StateExpired), LifecycleChange{Alternative: alt}, "", StateExpired, []string{ActionLifecycle}},
		{"lapsed trash expiry", lapsedTrash(), LifecycleChange{ExpiresAt: clear}, ECONFLICT, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer unchanged(t, tt.cur)()
			next, notes, err := lifecycleTransition(tt.cur, testPolicy(DiscloseFull, false), now, tt.change, "users", "123")
			if tt.code != "" {
				if got := ErrorCode(err); got != tt.code {
					t.Fatalf("error = %v, want code %q", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("lifecycleTransition: %v", err)
			}
			if got := next.State(now); got != tt.state {
				t.Errorf("State = %q, want %q", got, tt.state)
			}
			var actions []string
			for _, n := range notes {
				actions = append(actions, n.action)
				if n.detail == "" {
					t.Errorf("note %q has no detail", n.action)
				}
			}
			if fmt.Sprint(actions) != fmt.Sprint(tt.notes) {
				t.Errorf("audit actions = %v, want %v", actions, tt.notes)
			}
			if next.Version != tt.cur.Version+1 || !next.UpdatedAt.Equal(now) {
				t.Errorf("Version, UpdatedAt = %d, %v; want %d, %v", next.Version, next.UpdatedAt, tt.cur.Version+1, now)
			}
			if tt.change.Alternative.Set && next.Alternative != tt.change.Alternative.Value {
				t.Errorf("Alternative = %q, want %q", next.Alternative, tt.change.Alternative.Value)
			}
		})
	}
}

// TestLifecycleTimesAreWholeUTCSeconds: expiry is decided to the second,
// so stored times are whole seconds in UTC whatever the caller sent.
func TestLifecycleTimesAreWholeUTCSeconds(t *testing.T) {
	zone := time.FixedZone("UTC+2", 2*3600)
	v := time.Date(2026, 2, 1, 12, 0, 0, 999_999_999, zone)
	c := LifecycleChange{
		ExpiresAt:        Optional[time.Time]{Set: true, Value: v},
		UnavailableUntil: Optional[time.Time]{Set: true, Value: v},
		DeprecatedAt:     Optional[time.Time]{Set: true, Value: v},
	}
	next, notes, err := lifecycleTransition(stateRecord(StateLive), testPolicy(DiscloseFull, false), now, c, "users", "123")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	for name, got := range map[string]time.Time{"ExpiresAt": next.ExpiresAt, "UnavailableUntil": next.UnavailableUntil, "DeprecatedAt": next.DeprecatedAt} {
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got, want := notes[0].detail, "expiresAt 2026-02-01T10:00:00Z"; got != want {
		t.Errorf("audit detail = %q, want %q", got, want)
	}
}

// TestSoftDeleteWindowEndsOnAWholeSecond: a window that is not a whole
// number of seconds ends on the next whole second, never earlier.
func TestSoftDeleteWindowEndsOnAWholeSecond(t *testing.T) {
	for _, tt := range []struct {
		window time.Duration
		want   time.Time
	}{
		{2500 * time.Millisecond, now.Add(3 * time.Second)},
		{time.Nanosecond, now.Add(time.Second)},
		{3 * time.Second, now.Add(3 * time.Second)},
	} {
		p := testPolicy(DiscloseFull, false)
		p.RestoreWindow = tt.window
		next, _, err := deleteTransition(stateRecord(StateLive), p, now, admin, DeleteOptions{}, "users", "123")
		if err != nil {
			t.Fatal(err)
		}
		if !next.RestorableUntil.Equal(tt.want) {
			t.Errorf("window %v: RestorableUntil = %v, want %v", tt.window, next.RestorableUntil, tt.want)
		}
	}
}
