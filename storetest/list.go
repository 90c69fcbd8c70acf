package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// listFixture is one collection with a record in every state at t0, stored
// in an order that is not id order, plus a neighbour collection that must
// never leak into the lists.
func listFixture() []*gone.Record {
	rec := func(id string, edit func(r *gone.Record)) *gone.Record {
		r := &gone.Record{Collection: "users", ID: id, Data: json.RawMessage(fmt.Sprintf(`{"id":%q}`, id)),
			Version: 1, CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0.Add(-time.Hour)}
		edit(r)
		return r
	}
	none := func(*gone.Record) {}
	deleted := func(r *gone.Record) { r.DeletedAt, r.Data = t0.Add(-time.Minute), nil }
	return []*gone.Record{
		rec("e-unavailable", func(r *gone.Record) { r.UnavailableUntil = t0.Add(time.Hour) }),
		rec("a-live", none),
		rec("i-moved", func(r *gone.Record) { r.MovedTo = "a-live" }),
		rec("k-moved-expired", func(r *gone.Record) { r.MovedTo = "a-live"; r.ExpiresAt = t0.Add(-time.Hour) }),
		rec("l-moved-deleted", func(r *gone.Record) { r.MovedTo = "a-live"; deleted(r) }),
		rec("b-expires-later", func(r *gone.Record) { r.ExpiresAt = t0.Add(24 * time.Hour) }),
		rec("b2-expires-next-second", func(r *gone.Record) { r.ExpiresAt = t0.Add(time.Second) }),
		rec("c-expires-now", func(r *gone.Record) { r.ExpiresAt = t0 }),
		rec("d-expired", func(r *gone.Record) { r.ExpiresAt = t0.Add(-24 * time.Hour) }),
		rec("f-trash", func(r *gone.Record) {
			r.DeletedAt, r.RestorableUntil = t0.Add(-time.Minute), t0.Add(time.Hour)
		}),
		rec("f2-trash-expired", func(r *gone.Record) {
			// In the trash wins over expiry, as in Record.State.
			r.DeletedAt, r.RestorableUntil, r.ExpiresAt = t0.Add(-time.Minute), t0.Add(time.Hour), t0.Add(-time.Hour)
		}),
		rec("g-trash-lapses-now", func(r *gone.Record) {
			r.DeletedAt, r.RestorableUntil = t0.Add(-time.Hour), t0
		}),
		rec("h-deleted", deleted),
		rec("Z-upper-live", none), // byte order: before every lower-case id
		{Collection: "posts", ID: "a-other-collection", Data: json.RawMessage(`{}`), Version: 1},
		{Collection: "posts", ID: "h-other-deleted", Version: 1, DeletedAt: t0.Add(-time.Hour)},
		{Collection: "users2", ID: "a-similar-collection", Data: json.RawMessage(`{}`), Version: 1},
	}
}

var listWant = map[gone.State][]string{
	gone.StateLive:    {"Z-upper-live", "a-live", "b-expires-later", "b2-expires-next-second", "e-unavailable"},
	gone.StateDeleted: {"f-trash", "f2-trash-expired"},
	gone.StateGone:    {"c-expires-now", "d-expired", "g-trash-lapses-now", "h-deleted"},
	// Moved wins over expiry and delete, as in Record.State.
	gone.StateMoved:       {"i-moved", "k-moved-expired", "l-moved-deleted"},
	gone.StateUnavailable: {"e-unavailable"},
}

// listAll lists every page of q and returns the ids in order.
func listAll(t *testing.T, s gone.Store, q gone.ListQuery) []string {
	t.Helper()
	var ids []string
	for page := 0; ; page++ {
		if page > 100 {
			t.Fatalf("List %+v: more than 100 pages; is next stuck?", q)
		}
		recs, next, err := s.List(ctx(t), q)
		if err != nil {
			t.Fatalf("List %+v: %v", q, err)
		}
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
		if next == "" {
			return ids
		}
		if q.Limit <= 0 {
			t.Fatalf("List %+v without a limit: next = %q, want \"\"", q, next)
		}
		q.After = next
	}
}

func testList(t *testing.T, newStore func(t *testing.T) gone.Store) {
	s := open(t, newStore)
	fixture := listFixture()
	put(t, s, fixture...)

	t.Run("FixtureAgreesWithRecordState", func(t *testing.T) {
		// The suite's expectations follow the domain's own State.
		for _, r := range fixture {
			if r.Collection != "users" {
				continue
			}
			for st, ids := range listWant {
				q := gone.ListQuery{State: st, Now: t0}
				if in := slices.Contains(ids, r.ID); in != q.Matches(r) {
					t.Errorf("fixture %s (state %s): in %s list = %v, but ListQuery.Matches = %v", r.ID, r.State(t0), st, in, !in)
				}
			}
		}
	})

	for _, st := range []gone.State{gone.StateLive, gone.StateDeleted, gone.StateGone, gone.StateMoved, gone.StateUnavailable} {
		t.Run("State="+string(st), func(t *testing.T) {
			recs, next, err := s.List(ctx(t), gone.ListQuery{Collection: "users", State: st, Now: t0, Limit: 100})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			var ids []string
			for _, r := range recs {
				ids = append(ids, r.ID)
			}
			if !slices.Equal(ids, listWant[st]) {
				t.Errorf("List(users, %s, now=t0) = %q, want %q", st, ids, listWant[st])
			}
			if next != "" {
				t.Errorf("List(users, %s) of a short page: next = %q, want \"\"", st, next)
			}
			// The records are whole, not just ids.
			byID := map[string]*gone.Record{}
			for _, r := range fixture {
				if r.Collection == "users" {
					byID[r.ID] = r
				}
			}
			for _, r := range recs {
				if want := byID[r.ID]; want != nil {
					checkRecord(t, "List record "+r.ID, r, want)
				}
			}
		})
	}

	t.Run("DefaultStateIsLive", func(t *testing.T) {
		got := listAll(t, s, gone.ListQuery{Collection: "users", Now: t0, Limit: 100})
		if !slices.Equal(got, listWant[gone.StateLive]) {
			t.Errorf("List with State \"\" = %q, want the live list %q", got, listWant[gone.StateLive])
		}
	})

	t.Run("NoLimit", func(t *testing.T) {
		got := listAll(t, s, gone.ListQuery{Collection: "users", State: gone.StateGone, Now: t0})
		if !slices.Equal(got, listWant[gone.StateGone]) {
			t.Errorf("List with Limit 0 = %q, want %q", got, listWant[gone.StateGone])
		}
	})

	t.Run("SubSecondNow", func(t *testing.T) {
		// Now is not rounded by callers; an expiry happens at its second.
		q := gone.ListQuery{Collection: "users", State: gone.StateLive, Now: t0.Add(999 * time.Millisecond)}
		if got := listAll(t, s, q); !slices.Contains(got, "b2-expires-next-second") {
			t.Errorf("List live at t0+999ms = %q, want it to hold b2-expires-next-second", got)
		}
		q.Now = t0.Add(time.Second)
		if got := listAll(t, s, q); slices.Contains(got, "b2-expires-next-second") {
			t.Errorf("List live at t0+1s = %q, want b2-expires-next-second gone", got)
		}
		q.State = gone.StateGone
		if got := listAll(t, s, q); !slices.Contains(got, "b2-expires-next-second") {
			t.Errorf("List gone at t0+1s = %q, want it to hold b2-expires-next-second", got)
		}
	})

	t.Run("StateMovesWithNow", func(t *testing.T) {
		// Two hours later the trash has lapsed and the unavailable record is back.
		later := t0.Add(2 * time.Hour)
		want := map[gone.State][]string{
			gone.StateLive:        {"Z-upper-live", "a-live", "b-expires-later", "e-unavailable"},
			gone.StateDeleted:     nil,
			gone.StateGone:        {"b2-expires-next-second", "c-expires-now", "d-expired", "f-trash", "f2-trash-expired", "g-trash-lapses-now", "h-deleted"},
			gone.StateMoved:       listWant[gone.StateMoved],
			gone.StateUnavailable: nil,
		}
		for st, w := range want {
			got := listAll(t, s, gone.ListQuery{Collection: "users", State: st, Now: later, Limit: 3})
			if !slices.Equal(got, w) {
				t.Errorf("List(users, %s, now=t0+2h) = %q, want %q", st, got, w)
			}
		}
	})

	t.Run("Pages", func(t *testing.T) {
		live := listWant[gone.StateLive] // 5 ids
		for _, tc := range []struct {
			limit int
			after string
			want  []string
			next  string
		}{
			{limit: 2, want: live[:2], next: live[1]},
			{limit: 2, after: live[1], want: live[2:4], next: live[3]},
			{limit: 2, after: live[3], want: live[4:], next: ""},
			{limit: 5, want: live, next: ""}, // exactly full: nothing follows
			{limit: 4, want: live[:4], next: live[3]},
			{limit: 1, after: "a-live", want: live[2:3], next: live[2]},
			{limit: 10, after: "c", want: live[4:], next: ""}, // After need not be a listed id
			{limit: 10, after: live[4], want: nil, next: ""},
			{limit: 10, after: "zzz", want: nil, next: ""},
		} {
			q := gone.ListQuery{Collection: "users", State: gone.StateLive, Now: t0, After: tc.after, Limit: tc.limit}
			recs, next, err := s.List(ctx(t), q)
			if err != nil {
				t.Fatalf("List(limit %d, after %q): %v", tc.limit, tc.after, err)
			}
			var ids []string
			for _, r := range recs {
				ids = append(ids, r.ID)
			}
			if !slices.Equal(ids, tc.want) || next != tc.next {
				t.Errorf("List(limit %d, after %q) = %q, next %q; want %q, next %q", tc.limit, tc.after, ids, next, tc.want, tc.next)
			}
		}
	})

	t.Run("PagingCoversEverything", func(t *testing.T) {
		for st, want := range listWant {
			for limit := 1; limit <= 6; limit++ {
				got := listAll(t, s, gone.ListQuery{Collection: "users", State: st, Now: t0, Limit: limit})
				if !slices.Equal(got, want) {
					t.Errorf("List(users, %s) in pages of %d = %q, want %q", st, limit, got, want)
				}
			}
		}
	})

	t.Run("WithData", func(t *testing.T) {
		// The purger's query: retired ids whose payload is not erased yet.
		// Paged, so the filter composes with the cursor.
		want := map[gone.State][]string{
			gone.StateLive:    listWant[gone.StateLive],
			gone.StateDeleted: listWant[gone.StateDeleted],
			gone.StateGone:    {"c-expires-now", "d-expired", "g-trash-lapses-now"},
		}
		for st, w := range want {
			got := listAll(t, s, gone.ListQuery{Collection: "users", State: st, Now: t0, Limit: 2, WithData: true})
			if !slices.Equal(got, w) {
				t.Errorf("List(users, %s, WithData) = %q, want %q", st, got, w)
			}
		}
	})

	t.Run("ExpiresBefore", func(t *testing.T) {
		// "Expiring soon": live records whose expiry falls in a window.
		for _, tc := range []struct {
			state  gone.State
			before time.Time
			want   []string
		}{
			{gone.StateLive, t0.Add(time.Second), []string{"b2-expires-next-second"}},
			{gone.StateLive, t0.Add(time.Second - time.Nanosecond), nil},
			{gone.StateLive, t0.Add(24 * time.Hour), []string{"b-expires-later", "b2-expires-next-second"}},
			{gone.StateLive, t0.Add(48 * time.Hour), []string{"b-expires-later", "b2-expires-next-second"}},
			// With another state it narrows that list the same way.
			{gone.StateGone, t0, []string{"c-expires-now", "d-expired"}},
			{gone.StateDeleted, t0, []string{"f2-trash-expired"}},
		} {
			q := gone.ListQuery{Collection: "users", State: tc.state, Now: t0, Limit: 1, ExpiresBefore: tc.before}
			got := listAll(t, s, q)
			if !slices.Equal(got, tc.want) {
				t.Errorf("List(users, %s, ExpiresBefore t0%+v) = %q, want %q", tc.state, tc.before.Sub(t0), got, tc.want)
			}
			var ref []string
			for _, r := range fixture {
				if r.Collection == "users" && q.Matches(r) {
					ref = append(ref, r.ID)
				}
			}
			slices.Sort(ref)
			if !slices.Equal(ref, tc.want) {
				t.Errorf("ListQuery.Matches with ExpiresBefore t0%+v, %s = %q, want %q", tc.before.Sub(t0), tc.state, ref, tc.want)
			}
		}
	})

	t.Run("EmptyCollection", func(t *testing.T) {
		recs, next, err := s.List(ctx(t), gone.ListQuery{Collection: "nothing", Now: t0, Limit: 10})
		if err != nil || len(recs) != 0 || next != "" {
			t.Errorf("List(nothing) = %d records, next %q, err %v; want 0, \"\", nil", len(recs), next, err)
		}
	})
}
