package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

func testAudit(t *testing.T, newStore func(t *testing.T) gone.Store) {
	s := open(t, newStore)
	// Events arrive in three separate Updates; a failed Update in between
	// must leave no trace.
	batches := [][]gone.AuditEvent{
		{
			{At: t0, Actor: "admin", Action: gone.ActionCreate, Collection: "users", ID: "1"},
			{At: t0, Actor: "admin", Action: gone.ActionCreate, Collection: "users", ID: "2"},
		},
		{
			{At: t0.Add(time.Second), Actor: "admin", Action: gone.ActionSoftDelete, Collection: "users", ID: "1",
				Reason: "Eliminación solicitada", Detail: "restorable until 2026-02-04T10:30:01Z"},
			{At: t0.Add(2 * time.Second), Actor: "", Action: gone.ActionCreate, Collection: "posts", ID: "1"},
		},
		{
			{At: t0.Add(3 * time.Second), Actor: "ops", Action: gone.ActionDelete, Collection: "users", ID: "1", Reason: "spam"},
			{At: t0.Add(3 * time.Second), Actor: "ops", Action: gone.ActionMove, Collection: "users", ID: "2", Detail: "moved to 3"},
		},
	}
	var all []gone.AuditEvent
	for i, b := range batches {
		c := ctx(t)
		err := s.Update(c, func(tx gone.Tx) error {
			for _, e := range b {
				if err := tx.AppendAudit(c, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Update %d: %v", i, err)
		}
		all = append(all, b...)
		if i == 0 {
			_ = s.Update(c, func(tx gone.Tx) error {
				if err := tx.AppendAudit(c, gone.AuditEvent{At: t0, Actor: "x", Action: gone.ActionPurge, Collection: "users", ID: "rolled-back"}); err != nil {
					return err
				}
				return errBoom
			})
		}
	}

	got, err := s.Audit(ctx(t), gone.AuditQuery{})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	t.Run("EveryEventOldestFirst", func(t *testing.T) {
		if len(got) != len(all) {
			t.Fatalf("Audit{} returned %d events, want %d: %+v", len(got), len(all), got)
		}
		for i := range all {
			g, w := got[i], all[i]
			if i > 0 && g.Seq <= got[i-1].Seq {
				t.Errorf("event %d: Seq = %d after %d, want increasing", i, g.Seq, got[i-1].Seq)
			}
			if g.Seq <= 0 {
				t.Errorf("event %d: Seq = %d, want > 0", i, g.Seq)
			}
			w.Seq = g.Seq
			if !g.At.Equal(w.At) || g.At.Location() != time.UTC {
				t.Errorf("event %d: At = %v, want %v in UTC", i, g.At, w.At)
			}
			g.At, w.At = time.Time{}, time.Time{}
			if g != w {
				t.Errorf("event %d = %+v, want %+v", i, g, w)
			}
		}
	})

	// The reference agrees with what the events say on their face.
	if !(gone.AuditQuery{Actor: "ops", Since: t0.Add(3 * time.Second), Until: t0.Add(4 * time.Second)}).Matches(all[4]) ||
		(gone.AuditQuery{Until: t0}).Matches(all[0]) || (gone.AuditQuery{Action: gone.ActionMove}).Matches(all[0]) {
		t.Errorf("AuditQuery.Matches disagrees with the fixture")
	}
	filter := func(keep func(gone.AuditEvent) bool) []int64 {
		var out []int64
		for _, e := range got {
			if keep(e) {
				out = append(out, e.Seq)
			}
		}
		return out
	}

	t.Run("Filters", func(t *testing.T) {
		for _, q := range []gone.AuditQuery{
			{Collection: "users"},
			{Collection: "users", ID: "1"},
			{Collection: "users", ID: "2"},
			{Collection: "posts"},
			{Collection: "posts", ID: "1"},
			{ID: "1"}, // empty fields match everything
			{Collection: "users", ID: "nobody"},
			{Collection: "nothing"},
			{Actor: "ops"},
			{Actor: "ops", Action: gone.ActionMove},
			{Action: gone.ActionCreate},
			{Action: gone.ActionCreate, Collection: "users"},
			{Actor: "nobody"},
			{Since: t0.Add(time.Second)},
			{Since: t0.Add(time.Second + time.Millisecond)}, // sub-second bounds are exact
			{Until: t0.Add(2 * time.Second)},
			{Until: t0.Add(2*time.Second + time.Millisecond)},
			{Since: t0.Add(time.Second), Until: t0.Add(3 * time.Second), Collection: "users"},
			{Since: t0.Add(time.Hour)},
		} {
			want := filter(q.Matches)
			evs, err := s.Audit(ctx(t), q)
			if err != nil {
				t.Fatalf("Audit %+v: %v", q, err)
			}
			if g := seqs(evs); !slices.Equal(g, want) {
				t.Errorf("Audit %+v: seqs = %v, want %v", q, g, want)
			}
		}
	})

	t.Run("Pages", func(t *testing.T) {
		for _, base := range []gone.AuditQuery{{}, {Collection: "users"}, {Collection: "users", ID: "1"}} {
			want := filter(func(e gone.AuditEvent) bool {
				return (base.Collection == "" || e.Collection == base.Collection) && (base.ID == "" || e.ID == base.ID)
			})
			checkPages(t, s, base, want, func(q *gone.AuditQuery, last int64) { q.AfterSeq = last })
		}
		// Newest first, continued with BeforeSeq: the same events, reversed.
		for _, base := range []gone.AuditQuery{{Newest: true}, {Newest: true, Collection: "users"}, {Newest: true, Actor: "ops"}} {
			want := filter(base.Matches)
			slices.Reverse(want)
			checkPages(t, s, base, want, func(q *gone.AuditQuery, last int64) { q.BeforeSeq = last })
		}
		// BeforeSeq alone keeps what came before, oldest first; with
		// AfterSeq it bounds a range.
		evs, err := s.Audit(ctx(t), gone.AuditQuery{BeforeSeq: got[2].Seq})
		if err != nil {
			t.Fatalf("Audit: %v", err)
		}
		if g, w := seqs(evs), seqs(got[:2]); !slices.Equal(g, w) {
			t.Errorf("Audit{BeforeSeq: %d}: seqs = %v, want %v", got[2].Seq, g, w)
		}
		evs, err = s.Audit(ctx(t), gone.AuditQuery{AfterSeq: got[0].Seq, BeforeSeq: got[3].Seq, Newest: true})
		if err != nil {
			t.Fatalf("Audit: %v", err)
		}
		if g, w := seqs(evs), []int64{got[2].Seq, got[1].Seq}; !slices.Equal(g, w) {
			t.Errorf("Audit{AfterSeq: %d, BeforeSeq: %d, Newest}: seqs = %v, want %v", got[0].Seq, got[3].Seq, g, w)
		}

		// AfterSeq alone skips what came before.
		evs, err = s.Audit(ctx(t), gone.AuditQuery{AfterSeq: got[2].Seq})
		if err != nil {
			t.Fatalf("Audit: %v", err)
		}
		if g, w := seqs(evs), seqs(got[3:]); !slices.Equal(g, w) {
			t.Errorf("Audit{AfterSeq: %d}: seqs = %v, want %v", got[2].Seq, g, w)
		}
	})

	t.Run("SeqKeepsGrowing", func(t *testing.T) {
		last := got[len(got)-1].Seq
		c := ctx(t)
		if err := s.Update(c, func(tx gone.Tx) error {
			return tx.AppendAudit(c, gone.AuditEvent{At: t0, Actor: "a", Action: gone.ActionRestore, Collection: "users", ID: "1"})
		}); err != nil {
			t.Fatalf("Update: %v", err)
		}
		evs, err := s.Audit(c, gone.AuditQuery{AfterSeq: last})
		if err != nil || len(evs) != 1 || evs[0].Seq <= last {
			t.Errorf("Audit after one more event: %+v, err %v; want one event with Seq > %d", evs, err, last)
		}
	})
}

// checkPages reads base's events in pages of 1, 2 and 3, continuing each
// page with next (which sets AfterSeq or BeforeSeq to the page's last seq),
// and wants the pages together to be want.
func checkPages(t *testing.T, s gone.Store, base gone.AuditQuery, want []int64, next func(q *gone.AuditQuery, last int64)) {
	t.Helper()
	for limit := 1; limit <= 3; limit++ {
		q := base
		q.Limit = limit
		var all []int64
		for page := 0; ; page++ {
			if page > 20 {
				t.Fatalf("Audit %+v: too many pages", q)
			}
			evs, err := s.Audit(ctx(t), q)
			if err != nil {
				t.Fatalf("Audit %+v: %v", q, err)
			}
			if len(evs) > limit {
				t.Errorf("Audit %+v: %d events, want at most %d", q, len(evs), limit)
			}
			if len(evs) == 0 {
				break
			}
			all = append(all, seqs(evs)...)
			next(&q, evs[len(evs)-1].Seq)
		}
		if !slices.Equal(all, want) {
			t.Errorf("Audit %+v in pages of %d: seqs = %v, want %v", base, limit, all, want)
		}
	}
}

// seqs is the sequence numbers of evs, in order.
func seqs(evs []gone.AuditEvent) []int64 {
	var out []int64
	for _, e := range evs {
		out = append(out, e.Seq)
	}
	return out
}
