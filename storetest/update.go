package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

var errBoom = errors.New("storetest: boom")

func testUpdate(t *testing.T, newStore func(t *testing.T) gone.Store) {
	t.Run("ErrorLeavesNothingBehind", func(t *testing.T) {
		s := open(t, newStore)
		c := ctx(t)
		err := s.Update(c, func(tx gone.Tx) error {
			if err := tx.Put(c, full("users", "1")); err != nil {
				return err
			}
			if err := tx.AppendAudit(c, gone.AuditEvent{At: t0, Actor: "a", Action: gone.ActionCreate, Collection: "users", ID: "1"}); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Errorf("Update whose fn failed: err = %v, want %v", err, errBoom)
		}
		r, err := s.Get(c, "users", "1")
		wantNotFound(t, "Get after a failed Update", r, err)
		evs, err := s.Audit(c, gone.AuditQuery{})
		if err != nil {
			t.Fatalf("Audit: %v", err)
		}
		if len(evs) != 0 {
			t.Errorf("Audit after a failed Update: %d events (%+v), want 0", len(evs), evs)
		}
	})

	t.Run("ErrorKeepsPreviousRecord", func(t *testing.T) {
		s := open(t, newStore)
		c := ctx(t)
		want := full("users", "1")
		put(t, s, want)
		err := s.Update(c, func(tx gone.Tx) error {
			if err := tx.Put(c, &gone.Record{Collection: "users", ID: "1", Version: 99}); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Errorf("Update whose fn failed: err = %v, want %v", err, errBoom)
		}
		checkRecord(t, "Get after a failed replacing Update", mustGet(t, s, "users", "1"), want)
	})

	t.Run("ErrorCodeSurvives", func(t *testing.T) {
		// Service returns domain errors from inside fn; their codes must
		// reach the caller.
		s := open(t, newStore)
		err := s.Update(ctx(t), func(tx gone.Tx) error {
			return gone.Errorf(gone.ECONFLICT, "taken")
		})
		if got := gone.ErrorCode(err); got != gone.ECONFLICT {
			t.Errorf("Update returning ECONFLICT: ErrorCode(%v) = %q, want %q", err, got, gone.ECONFLICT)
		}
	})

	t.Run("TxGetUnknown", func(t *testing.T) {
		s := open(t, newStore)
		c := ctx(t)
		err := s.Update(c, func(tx gone.Tx) error {
			r, err := tx.Get(c, "users", "nobody")
			wantNotFound(t, "Tx.Get of an unknown id", r, err)
			return nil
		})
		if err != nil {
			t.Errorf("Update: %v", err)
		}
	})

	t.Run("TxSeesOwnWrites", func(t *testing.T) {
		s := open(t, newStore)
		c := ctx(t)
		put(t, s, &gone.Record{Collection: "users", ID: "1", Data: json.RawMessage(`{"v":1}`), Version: 1})
		v2 := &gone.Record{Collection: "users", ID: "1", Data: json.RawMessage(`{"v":2}`), Version: 2, UpdatedAt: t0}
		v3 := &gone.Record{Collection: "users", ID: "2", Data: json.RawMessage(`{"v":3}`), Version: 1, CreatedAt: t0}
		err := s.Update(c, func(tx gone.Tx) error {
			for _, r := range []*gone.Record{v2, v3} {
				if err := tx.Put(c, r); err != nil {
					return err
				}
				got, err := tx.Get(c, r.Collection, r.ID)
				if err != nil {
					return err
				}
				checkRecord(t, "Tx.Get after Tx.Put in the same Update", got, r)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		checkRecord(t, "Get after commit", mustGet(t, s, "users", "1"), v2)
		checkRecord(t, "Get after commit", mustGet(t, s, "users", "2"), v3)
	})

	t.Run("CancelledContextWritesNothing", func(t *testing.T) {
		s := open(t, newStore)
		c, cancel := context.WithCancel(context.Background())
		cancel()
		err := s.Update(c, func(tx gone.Tx) error {
			return tx.Put(c, full("users", "1"))
		})
		if err == nil {
			t.Errorf("Update with a cancelled context: err = nil, want an error")
		}
		r, err := s.Get(ctx(t), "users", "1")
		wantNotFound(t, "Get after an Update with a cancelled context", r, err)
	})

	t.Run("ReadDuringUpdate", func(t *testing.T) {
		// A reader is neither blocked by an open write transaction nor
		// shown its uncommitted writes.
		s := open(t, newStore)
		c := ctx(t)
		v1 := &gone.Record{Collection: "users", ID: "1", Data: json.RawMessage(`{"v":1}`), Version: 1}
		v2 := &gone.Record{Collection: "users", ID: "1", Data: json.RawMessage(`{"v":2}`), Version: 2}
		put(t, s, v1)
		written, release := make(chan struct{}), make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- s.Update(c, func(tx gone.Tx) error {
				if err := tx.Put(c, v2); err != nil {
					close(written)
					return err
				}
				close(written)
				<-release
				return nil
			})
		}()
		<-written
		rc, cancel := context.WithTimeout(c, 5*time.Second)
		got, err := s.Get(rc, "users", "1")
		cancel()
		close(release)
		if err != nil {
			t.Errorf("Get during an open Update: %v (a reader must not wait for a writer)", err)
		} else {
			checkRecord(t, "Get during an open Update", got, v1)
		}
		if err := <-done; err != nil {
			t.Fatalf("Update: %v", err)
		}
		checkRecord(t, "Get after the Update committed", mustGet(t, s, "users", "1"), v2)
	})
}
