package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/storetest"
)

var t0 = time.Date(2026, 1, 5, 10, 30, 0, 0, time.UTC)

// openTemp opens a store on a fresh file in t's temp dir. The caller (or
// storetest) closes it.
func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gone.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return s, path
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) gone.Store {
		s, _ := openTemp(t)
		return s
	})
}

func put(t testing.TB, s *Store, recs ...*gone.Record) {
	t.Helper()
	ctx := context.Background()
	err := s.Update(ctx, func(tx gone.Tx) error {
		for _, r := range recs {
			if err := tx.Put(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	want := &gone.Record{Collection: "users", ID: "123", Data: json.RawMessage(`{"name":"Ada"}`), Version: 3, CreatedAt: t0, UpdatedAt: t0}
	put(t, s, want)
	if err := s.Update(ctx, func(tx gone.Tx) error {
		return tx.AppendAudit(ctx, gone.AuditEvent{At: t0, Actor: "a", Action: gone.ActionCreate, Collection: "users", ID: "123"})
	}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Migrations must not run twice on an existing file.
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	got, err := s.Get(ctx, "users", "123")
	if err != nil {
		t.Fatalf("Get after reopen: %v", err)
	}
	if string(got.Data) != string(want.Data) || got.Version != want.Version || !got.CreatedAt.Equal(t0) {
		t.Errorf("Get after reopen = %+v, want %+v", got, want)
	}
	evs, err := s.Audit(ctx, gone.AuditQuery{})
	if err != nil || len(evs) != 1 {
		t.Errorf("Audit after reopen = %+v, %v; want one event", evs, err)
	}
	steps, _ := fs.Glob(migrations, "migrations/*.sql")
	var v int
	if err := s.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil || v != len(steps) {
		t.Errorf("user_version = %d, %v; want %d, one per migration", v, err, len(steps))
	}
}

func TestPragmas(t *testing.T) {
	// Every pooled connection must carry the durability and erasure
	// settings, not only the first one: hold several read connections at
	// once and ask each.
	s, _ := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	want := map[string]string{"journal_mode": "wal", "synchronous": "2", "secure_delete": "1", "foreign_keys": "1", "busy_timeout": "5000"}
	conns := map[string]*sql.Conn{}
	for i, db := range []*sql.DB{s.w, s.r, s.r, s.r} {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatalf("Conn: %v", err)
		}
		defer c.Close()
		conns[fmt.Sprintf("conn %d", i)] = c
	}
	for name, c := range conns {
		for p, w := range want {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+p).Scan(&got); err != nil || got != w {
				t.Errorf("%s: PRAGMA %s = %q, %v; want %q", name, p, got, err, w)
			}
		}
	}
}
