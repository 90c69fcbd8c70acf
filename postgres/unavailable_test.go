package postgres

import (
	"context"
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/internal/pgtest"
)

// The server terminates the store's sessions (what a restart or a failover
// does to them; pg_terminate_backend on this test's own connections only):
// a write and a read that meet a dead session are EUNAVAILABLE, never an
// internal error, the failed write left nothing, and the store recovers.
func TestTerminatedSessionsAreUnavailable(t *testing.T) {
	ctx := testContext(t)
	s := openTest(t, pgtest.Schema(t))
	admin, err := pgx.Connect(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	rec := func(id string) *gone.Record {
		now := time.Now().UTC().Truncate(time.Second)
		return &gone.Record{Collection: "c", ID: id, Data: json.RawMessage(`{}`), Version: 1, CreatedAt: now, UpdatedAt: now}
	}
	write := func(id string) error {
		return s.Update(ctx, func(tx gone.Tx) error { return tx.Put(ctx, rec(id)) })
	}
	if err := write("before"); err != nil {
		t.Fatal(err)
	}
	// terminate ends every idle session of the pool and waits until the
	// server has let them go. The pool only pings a session idle for more
	// than a second, so the next call meets a dead one.
	terminate := func() {
		t.Helper()
		var pids []uint32
		for _, c := range s.pool.AcquireAllIdle(ctx) {
			pids = append(pids, c.Conn().PgConn().PID())
			c.Release()
		}
		if len(pids) == 0 {
			t.Fatal("the pool holds no idle session to terminate")
		}
		if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", pids); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 50; i++ {
			var n int
			if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", pids).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatal("the terminated sessions did not end")
	}

	terminate()
	if err := write("during"); gone.ErrorCode(err) != gone.EUNAVAILABLE {
		t.Fatalf("Update on a terminated session: %v (code %q), want %q", err, gone.ErrorCode(err), gone.EUNAVAILABLE)
	}
	if _, err := s.Get(ctx, "c", "during"); !gone.IsNotFound(err) {
		t.Errorf("Get after the failed write: %v, want ENOTFOUND", err)
	}
	terminate()
	if _, err := s.Get(ctx, "c", "before"); gone.ErrorCode(err) != gone.EUNAVAILABLE {
		t.Errorf("Get on a terminated session: %v (code %q), want %q", err, gone.ErrorCode(err), gone.EUNAVAILABLE)
	}
	if err := write("after"); err != nil {
		t.Fatalf("Update once the server is back: %v", err)
	}
}

// A database that cannot be reached at all (nothing listens) is
// EUNAVAILABLE for reads, writes and Ping.
func TestUnreachableIsUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	pool, err := pgxpool.New(context.Background(), "postgres://gone@"+addr+"/gone?connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{pool: pool}
	defer s.Close()
	ctx := testContext(t)
	_, getErr := s.Get(ctx, "c", "x")
	updErr := s.Update(ctx, func(gone.Tx) error { return nil })
	for what, err := range map[string]error{"Get": getErr, "Update": updErr, "Ping": s.Ping(ctx)} {
		if gone.ErrorCode(err) != gone.EUNAVAILABLE {
			t.Errorf("%s on an unreachable server: %v (code %q), want %q", what, err, gone.ErrorCode(err), gone.EUNAVAILABLE)
		}
	}
}
