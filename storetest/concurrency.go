package storetest

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// writers is how many Updates race on one id. Enough to collide often,
// few enough to stay quick on a single-writer store.
const writers = 24

func testConcurrency(t *testing.T, newStore func(t *testing.T) gone.Store) {
	t.Run("NoLostUpdate", func(t *testing.T) {
		// Each Update reads the version and writes it plus one. If Update
		// did not serialise, two would read the same version and one
		// increment would be lost.
		s := open(t, newStore)
		c := ctx(t)
		put(t, s, &gone.Record{Collection: "counters", ID: "c", Data: json.RawMessage(`{}`), Version: 0})
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.Update(c, func(tx gone.Tx) error {
					r, err := tx.Get(c, "counters", "c")
					if err != nil {
						return fmt.Errorf("Tx.Get: %w", err)
					}
					// Widen the window between read and write, so a store
					// that does not serialise loses updates every time.
					time.Sleep(time.Millisecond)
					r.Version++
					r.Data = json.RawMessage(fmt.Sprintf(`{"last":%d}`, i))
					if err := tx.Put(c, r); err != nil {
						return fmt.Errorf("Tx.Put: %w", err)
					}
					return tx.AppendAudit(c, gone.AuditEvent{At: t0, Actor: fmt.Sprint(i), Action: gone.ActionPatch, Collection: "counters", ID: "c"})
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent Update: %v", err)
			}
		}
		if got := mustGet(t, s, "counters", "c").Version; got != writers {
			t.Errorf("after %d concurrent increments: Version = %d, want %d (lost updates)", writers, got, writers)
		}
		evs, err := s.Audit(c, gone.AuditQuery{Collection: "counters"})
		if err != nil {
			t.Fatalf("Audit: %v", err)
		}
		if len(evs) != writers {
			t.Errorf("after %d concurrent Updates: %d audit events, want %d", writers, len(evs), writers)
		}
		seen := map[int64]bool{}
		for _, e := range evs {
			if seen[e.Seq] {
				t.Errorf("audit Seq %d assigned twice", e.Seq)
			}
			seen[e.Seq] = true
		}
	})

	t.Run("CreateRace", func(t *testing.T) {
		// Many Updates try to create the same absent id; exactly one sees
		// it absent. This is the check that makes "no id reuse" hold.
		s := open(t, newStore)
		c := ctx(t)
		var wg sync.WaitGroup
		created := make(chan int, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := s.Update(c, func(tx gone.Tx) error {
					_, err := tx.Get(c, "users", "new")
					if gone.ErrorCode(err) != gone.ENOTFOUND {
						return err
					}
					time.Sleep(time.Millisecond)
					created <- i
					return tx.Put(c, &gone.Record{Collection: "users", ID: "new", Data: json.RawMessage(fmt.Sprintf(`{"by":%d}`, i)), Version: 1})
				})
				if err != nil {
					t.Errorf("Update %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		close(created)
		var n int
		for range created {
			n++
		}
		if n != 1 {
			t.Errorf("%d Updates saw users/new absent and created it, want exactly 1", n)
		}
	})
}

func testLifecycle(t *testing.T, newStore func(t *testing.T) gone.Store) {
	t.Run("Ping", func(t *testing.T) {
		s := open(t, newStore)
		if err := s.Ping(ctx(t)); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
	t.Run("Close", func(t *testing.T) {
		s := newStore(t)
		put(t, s, full("users", "1"))
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := s.Ping(ctx(t)); err == nil {
			t.Errorf("Ping after Close: err = nil, want an error")
		}
		if _, err := s.Get(ctx(t), "users", "1"); err == nil {
			t.Errorf("Get after Close: err = nil, want an error")
		}
	})
}
