package sqlite

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// Gets on every pooled connection at once, while another store on the same
// file (as another process would) commits and rolls back, see only
// committed states: a version never goes backwards, Data always matches its
// version, and a rolled-back write is never seen.
func TestGetDuringWrites(t *testing.T) {
	s, path := openTemp(t)
	defer s.Close()
	w, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx := context.Background()
	rec := func(v int64) *gone.Record {
		return &gone.Record{Collection: "c", ID: "x", Data: json.RawMessage(`{"v":` + strconv.FormatInt(v, 10) + `}`), Version: v, CreatedAt: t0, UpdatedAt: t0}
	}
	put(t, w, rec(1))

	const writes, rolledBack = 200, int64(-1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	fail := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	for range 2 * cap(s.get.slots) { // more than the pool: some wait for a connection
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last int64
			for {
				select {
				case <-stop:
					return
				default:
				}
				r, err := s.Get(ctx, "c", "x")
				switch {
				case err != nil:
					fail(err)
					return
				case r.Version == rolledBack || r.Version < last:
					fail(errors.New("Get saw version " + strconv.FormatInt(r.Version, 10) + " after " + strconv.FormatInt(last, 10)))
					return
				case string(r.Data) != string(rec(r.Version).Data) || !r.CreatedAt.Equal(t0):
					fail(errors.New("Get saw a torn record: " + string(r.Data)))
					return
				}
				last = r.Version
			}
		}()
	}
	for v := int64(2); v <= writes; v++ {
		put(t, w, rec(v))
		err := w.Update(ctx, func(tx gone.Tx) error {
			if err := tx.Put(ctx, rec(rolledBack)); err != nil {
				return err
			}
			return errors.New("roll back")
		})
		if err == nil {
			t.Fatal("the rolled-back Update succeeded")
		}
	}
	close(stop)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	if r, err := s.Get(ctx, "c", "x"); err != nil || r.Version != writes {
		t.Fatalf("Get after the writes: %v, %v; want version %d", r, err, writes)
	}
}

// A record's Data is its own: the next lookup on the same connection (which
// reuses its row buffer) does not change it.
func TestGetDataIsCopied(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	put(t, s,
		&gone.Record{Collection: "c", ID: "a", Data: json.RawMessage(`{"a":1}`), Version: 1, CreatedAt: t0, UpdatedAt: t0},
		&gone.Record{Collection: "c", ID: "b", Data: json.RawMessage(`{"b":2}`), Version: 1, CreatedAt: t0, UpdatedAt: t0})
	a, err := s.Get(ctx, "c", "a")
	if err != nil {
		t.Fatal(err)
	}
	for range cap(s.get.slots) {
		if _, err := s.Get(ctx, "c", "b"); err != nil {
			t.Fatal(err)
		}
	}
	if string(a.Data) != `{"a":1}` {
		t.Errorf("Data of c/a after other lookups = %s, want {\"a\":1}", a.Data)
	}
}

// A lookup ends with its context: a cancelled one with context.Canceled, a
// deadline that runs out (here while every connection is busy) with
// EUNAVAILABLE, as the read timeout of the service needs. After Close, a
// lookup is EUNAVAILABLE too.
func TestGetContext(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	put(t, s, &gone.Record{Collection: "c", ID: "a", Data: json.RawMessage(`{}`), Version: 1, CreatedAt: t0, UpdatedAt: t0})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Get(ctx, "c", "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a cancelled context: %v, want context.Canceled", err)
	}

	for range cap(s.get.slots) { // as if that many lookups were running
		s.get.slots <- struct{}{}
	}
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := s.Get(ctx, "c", "a"); gone.ErrorCode(err) != gone.EUNAVAILABLE {
		t.Errorf("Get past its deadline with every connection busy: %v (code %q), want EUNAVAILABLE", err, gone.ErrorCode(err))
	}
	for range cap(s.get.slots) {
		<-s.get.slots
	}
	if r, err := s.Get(context.Background(), "c", "a"); err != nil || r.Version != 1 {
		t.Fatalf("Get once connections are free again: %v, %v", r, err)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(context.Background(), "c", "a"); gone.ErrorCode(err) != gone.EUNAVAILABLE {
		t.Errorf("Get after Close: %v (code %q), want EUNAVAILABLE", err, gone.ErrorCode(err))
	}
}

// Get's own connections carry the same settings as every other one, and
// are read-only.
func TestGetConnectionsPragmas(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	// busy_timeout is readBusyTimeout: the read timeout, enforced by
	// SQLite rather than by the context.
	want := map[string]string{"journal_mode": "wal", "synchronous": "2", "secure_delete": "1", "foreign_keys": "1", "busy_timeout": "2000", "query_only": "1"}
	for i := range cap(s.get.slots) {
		rd, err := s.get.open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer s.get.put(rd) // Close closes it
		for p, w := range want {
			rows, err := rd.conn.(driver.QueryerContext).QueryContext(ctx, "PRAGMA "+p, nil)
			if err != nil {
				t.Fatalf("PRAGMA %s: %v", p, err)
			}
			v := make([]driver.Value, 1)
			err = rows.Next(v)
			rows.Close()
			if got := fmt.Sprint(v[0]); err != nil || got != w {
				t.Errorf("connection %d: PRAGMA %s = %q, %v; want %q", i, p, got, err, w)
			}
		}
	}
}
