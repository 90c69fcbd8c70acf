package gone

import (
	"testing"
	"time"
)

func TestChangeFor(t *testing.T) {
	at := time.Date(2026, 1, 5, 10, 30, 0, 0, time.UTC)
	cfg := &Config{Collections: map[string]Policy{
		"users":    {Collection: "users", Disclosure: DiscloseFull},
		"orders":   {Collection: "orders", Disclosure: DiscloseMinimal},
		"accounts": {Collection: "accounts", Disclosure: DiscloseConceal, Private: true},
	}}
	admin := Caller{Name: "admin", Scopes: []Scope{ScopeAdmin}}
	reader := Caller{Name: "reader", Scopes: []Scope{ScopeRead}}
	ordersOnly := Caller{Name: "orders", Scopes: []Scope{ScopeAdmin}, Collections: []string{"orders"}}
	ev := func(coll, action, reason, detail string) AuditEvent {
		return AuditEvent{Seq: 7, At: at, Actor: "admin", Action: action, Collection: coll, ID: "123", Reason: reason, Detail: detail}
	}
	tests := []struct {
		name       string
		e          AuditEvent
		caller     Caller
		wantOK     bool
		want       ChangeType
		wantReason string
	}{
		{"full: gone with its reason", ev("users", ActionDelete, "user_request", ""), reader, true, ChangeGone, "user_request"},
		{"full: trash says no reason", ev("users", ActionSoftDelete, "user_request", ""), reader, true, ChangeDeleted, ""},
		{"minimal: gone without reason", ev("orders", ActionDelete, "user_request", ""), reader, true, ChangeGone, ""},
		{"conceal: nothing for a reader", ev("accounts", ActionDelete, "user_request", ""), reader, false, "", ""},
		{"conceal: nothing, not even a create", ev("accounts", ActionCreate, "", ""), reader, false, "", ""},
		{"conceal: everything for an admin", ev("accounts", ActionDelete, "user_request", ""), admin, true, ChangeGone, "user_request"},
		{"anonymous sees nothing", ev("users", ActionCreate, "", ""), Caller{}, false, "", ""},
		{"a restricted token sees nothing of other collections", ev("users", ActionCreate, "", ""), ordersOnly, false, "", ""},
		{"a restricted admin sees its collection with reasons", ev("orders", ActionDelete, "user_request", ""), ordersOnly, true, ChangeGone, "user_request"},
		{"unknown collection: admins only", ev("old", ActionCreate, "", ""), reader, false, "", ""},
		{"purge is gone", ev("users", ActionPurge, "", "restore window passed"), reader, true, ChangeGone, ""},
		{"past expiry is expired", ev("users", ActionExpire, "", "expiresAt 2026-01-05T10:30:00Z"), reader, true, ChangeExpired, ""},
		{"future expiry is expiring", ev("users", ActionExpire, "", "expiresAt 2027-01-01T00:00:00Z"), reader, true, ChangeExpiring, ""},
		{"cleared expiry is expiring with no time", ev("users", ActionExpire, "", "expiresAt cleared"), reader, true, ChangeExpiring, ""},
		{"old id of a move", ev("users", ActionMove, "", "moved to 456"), reader, true, ChangeMoved, ""},
		{"new id of a move", ev("users", ActionMove, "", "moved from 123"), reader, true, ChangeCreated, ""},
		{"patch", ev("users", ActionPatch, "", ""), reader, true, ChangeUpdated, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch, ok := cfg.ChangeFor(tc.e, tc.caller)
			if ok != tc.wantOK {
				t.Fatalf("ChangeFor ok = %v, want %v", ok, tc.wantOK)
			}
			if !ok {
				if ch != (Change{}) {
					t.Errorf("a hidden change leaks %+v", ch)
				}
				return
			}
			if ch.Type != tc.want || ch.Reason != tc.wantReason {
				t.Errorf("ChangeFor = %s reason %q, want %s reason %q", ch.Type, ch.Reason, tc.want, tc.wantReason)
			}
			if isAdmin := tc.caller.Can(ScopeAdmin, tc.e.Collection); (ch.Actor != "") != isAdmin {
				t.Errorf("Actor = %q for admin=%v", ch.Actor, isAdmin)
			}
		})
	}
	ch, _ := cfg.ChangeFor(ev("users", ActionMove, "", "moved to 456"), reader)
	if ch.MovedTo != "456" {
		t.Errorf("MovedTo = %q, want 456", ch.MovedTo)
	}
	ch, _ = cfg.ChangeFor(ev("users", ActionExpire, "", "expiresAt 2027-01-01T00:00:00Z"), reader)
	if !ch.ExpiresAt.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ExpiresAt = %v", ch.ExpiresAt)
	}
}

// A gone change says what to use instead, as its 410 does, whether a
// permanent delete or the purger retired the id; the audit trail of the
// service writes what ChangeFor reads.
func TestChangeForAlternative(t *testing.T) {
	t.Parallel()
	cfg := &Config{Collections: map[string]Policy{"users": {Collection: "users", Disclosure: DiscloseMinimal}}}
	reader := Caller{Name: "reader", Scopes: []Scope{ScopeRead}}
	cases := []struct {
		action, detail, want string
	}{
		{ActionDelete, alternativeNote + "/api/users", "/api/users"},
		{ActionPurge, "restore window ended 2026-01-05T10:30:00Z; " + alternativeNote + "https://example.com/new", "https://example.com/new"},
		{ActionPurge, "restore window ended 2026-01-05T10:30:00Z", ""},
		{ActionDelete, "", ""},
		{ActionSoftDelete, alternativeNote + "/api/users", ""}, // 404 while in the trash: nothing to use instead yet
	}
	for _, tc := range cases {
		ch, _ := cfg.ChangeFor(AuditEvent{Action: tc.action, Collection: "users", ID: "1", Detail: tc.detail}, reader)
		if ch.Alternative != tc.want {
			t.Errorf("ChangeFor(%s, %q).Alternative = %q, want %q", tc.action, tc.detail, ch.Alternative, tc.want)
		}
	}
}
