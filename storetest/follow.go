package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/gonehttp/gone"
)

// testAuditOrder checks the ordering guarantee every follower of the audit
// log relies on (gone.Store.Audit): events become visible in Seq order, so
// a reader that pages by AfterSeq, from the highest Seq it has seen, never
// misses an event that commits later with a lower Seq. Writers on many
// ids commit at once while a follower pages the log as fast as it can.
func testAuditOrder(t *testing.T, newStore func(t *testing.T) gone.Store) {
	s := open(t, newStore)
	c := ctx(t)
	const perWriter = 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				id := fmt.Sprintf("w%02d-%02d", w, i)
				if err := s.Update(c, func(tx gone.Tx) error {
					if err := tx.Put(c, &gone.Record{Collection: "orders", ID: id, Version: 1, CreatedAt: t0, UpdatedAt: t0}); err != nil {
						return err
					}
					return tx.AppendAudit(c, gone.AuditEvent{At: t0, Actor: "w", Action: gone.ActionCreate, Collection: "orders", ID: id})
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	// The follower: exactly what the change feed, the rule tables and the
	// webhooks do.
	seen := map[int64]bool{}
	var last int64
	follow := func() {
		evs, err := s.Audit(context.Background(), gone.AuditQuery{AfterSeq: last, Limit: 100})
		if err != nil {
			t.Fatalf("Audit after %d: %v", last, err)
		}
		for _, e := range evs {
			if e.Seq <= last {
				t.Fatalf("Audit after %d returned Seq %d", last, e.Seq)
			}
			seen[e.Seq], last = true, e.Seq
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		follow()
	}
	follow()
	for prev := int64(-1); prev != last; {
		prev = last
		follow()
	}
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Update: %v", err)
	}
	all, err := s.Audit(c, gone.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != writers*perWriter {
		t.Fatalf("%d events in the log, want %d", len(all), writers*perWriter)
	}
	for _, e := range all {
		if !seen[e.Seq] {
			t.Errorf("the follower never saw Seq %d (%s/%s): it committed after a higher Seq was visible", e.Seq, e.Collection, e.ID)
		}
	}
}
