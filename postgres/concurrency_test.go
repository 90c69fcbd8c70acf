package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/internal/pgtest"
)

// increment is a read-modify-write Update: it reads the record (absent
// counts as version 0) and writes version+1. A lost update shows as a final
// version below the number of increments.
func increment(ctx context.Context, s *Store, collection, id string) error {
	return s.Update(ctx, func(tx gone.Tx) error {
		var v int64
		r, err := tx.Get(ctx, collection, id)
		switch {
		case gone.ErrorCode(err) == gone.ENOTFOUND:
		case err != nil:
			return err
		default:
			v = r.Version
		}
		return tx.Put(ctx, &gone.Record{Collection: collection, ID: id,
			Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, v+1)), Version: v + 1})
	})
}

// hammer runs n increments of one id spread over stores, all at once.
func hammer(t *testing.T, n int, stores ...*Store) {
	t.Helper()
	ctx := testContext(t)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := make(chan struct{})
	for i := range n {
		s := stores[i%len(stores)]
		wg.Go(func() {
			<-start
			errs <- increment(ctx, s, "counters", "c")
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("increment: %v", err)
		}
	}
}

func TestConcurrentUpdatesOneID(t *testing.T) {
	s := openTest(t, pgtest.Schema(t))
	const n = 50
	hammer(t, n, s)
	r, err := s.Get(testContext(t), "counters", "c")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if r.Version != n {
		t.Errorf("after %d concurrent increments: Version = %d, want %d (lost updates)", n, r.Version, n)
	}
}

// Two Stores are two pools, as two gone processes on one database would be.
func TestTwoStoresNoLostUpdate(t *testing.T) {
	dsn := pgtest.Schema(t)
	a, b := openTest(t, dsn), openTest(t, dsn)
	const n = 60
	hammer(t, n, a, b)
	for name, s := range map[string]*Store{"a": a, "b": b} {
		r, err := s.Get(testContext(t), "counters", "c")
		if err != nil {
			t.Fatalf("Get from %s: %v", name, err)
		}
		if r.Version != n {
			t.Errorf("store %s after %d increments over two stores: Version = %d, want %d", name, n, r.Version, n)
		}
	}
}

// The lock in Tx.Get must cover an absent row too: of many concurrent
// creates of one id, exactly one may see it absent.
func TestConcurrentCreateSeesAbsenceOnce(t *testing.T) {
	dsn := pgtest.Schema(t)
	stores := []*Store{openTest(t, dsn), openTest(t, dsn)}
	ctx := testContext(t)
	const n = 20
	var created atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		s := stores[i%len(stores)]
		wg.Go(func() {
			<-start
			err := s.Update(ctx, func(tx gone.Tx) error {
				_, err := tx.Get(ctx, "users", "new")
				if gone.ErrorCode(err) != gone.ENOTFOUND {
					return err
				}
				created.Add(1)
				// Widen the window in which a second creator could slip in.
				time.Sleep(10 * time.Millisecond)
				return tx.Put(ctx, &gone.Record{Collection: "users", ID: "new", Data: json.RawMessage(`{}`), Version: 1})
			})
			if err != nil {
				t.Errorf("Update: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if got := created.Load(); got != 1 {
		t.Errorf("%d concurrent create-if-absent Updates: %d saw the id absent, want 1", n, got)
	}
}

// Two Updates that lock two ids in opposite orders deadlock; PostgreSQL
// aborts one and Update reruns it, so both succeed.
func TestCrossedLocksRetry(t *testing.T) {
	s := openTest(t, pgtest.Schema(t))
	ctx := testContext(t)
	var (
		wg       sync.WaitGroup
		holding  sync.WaitGroup
		attempts atomic.Int32
	)
	holding.Add(2)
	cross := func(first, second string) error {
		var once sync.Once
		return s.Update(ctx, func(tx gone.Tx) error {
			attempts.Add(1)
			if _, err := tx.Get(ctx, "users", first); gone.ErrorCode(err) != gone.ENOTFOUND {
				return err
			}
			// Only the first run waits for the other to hold its lock;
			// a rerun must not wait for a partner that already finished.
			once.Do(func() { holding.Done(); holding.Wait() })
			if _, err := tx.Get(ctx, "users", second); err != nil && gone.ErrorCode(err) != gone.ENOTFOUND {
				return err
			}
			return tx.Put(ctx, &gone.Record{Collection: "users", ID: first + "-" + second, Version: 1})
		})
	}
	for _, ids := range [][2]string{{"a", "b"}, {"b", "a"}} {
		wg.Go(func() {
			if err := cross(ids[0], ids[1]); err != nil {
				t.Errorf("Update locking %s then %s: %v", ids[0], ids[1], err)
			}
		})
	}
	wg.Wait()
	if got := attempts.Load(); got != 3 {
		t.Errorf("fn ran %d times, want 3 (two runs and one rerun of the deadlock victim)", got)
	}
}
