package cluster_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/pgtest"
	"github.com/gonehttp/gone/postgres"
)

// What a PostgreSQL restart does to an instance's sessions, done to this
// test's own sessions only (pg_terminate_backend by application_name; the
// shared server keeps running): a write and a read that meet a terminated
// session answer 503 with a short Retry-After, never 500; the refused write
// left nothing; the next ones succeed on fresh sessions.
func TestTerminatedSessionsAnswer503(t *testing.T) {
	ctx := context.Background()
	var b [6]byte
	rand.Read(b[:])
	app := "gone_outage_" + hex.EncodeToString(b[:])
	dsn := pgtest.Schema(t)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	store, err := postgres.Open(ctx, dsn+sep+"application_name="+app)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	tokens := httpapi.NewTokens()
	tokens.Add(adminToken, "admin", true)
	srv := httptest.NewServer(httpapi.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), gone.NewService(store, demo.Config()), tokens))
	defer srv.Close()
	in := &instance{name: "A", url: srv.URL, store: store}
	admin, err := pgx.Connect(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)

	// terminate ends the instance's sessions and waits until they are gone.
	// The pool pings only a session idle for over a second, so the next
	// request meets a dead one.
	terminate := func() {
		t.Helper()
		if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", app); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 50; i++ {
			var n int
			if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", app).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatal("the terminated sessions did not end")
	}

	if code, body := call(t, in, "PUT", "/api/users/pg1", `{"n":1}`); code != 201 {
		t.Fatalf("PUT before: %d %s", code, body)
	}
	terminate()
	if code, body := call(t, in, "PUT", "/api/users/pg2", `{"n":2}`); code != 503 || !strings.Contains(body, "/problems/unavailable") {
		t.Errorf("PUT on a terminated session: %d %s, want a 503 problem", code, body)
	}
	if code, _ := call(t, in, "GET", "/api/users/pg2", ""); code != 404 {
		t.Errorf("GET of the refused write: %d, want 404 (nothing left behind)", code)
	}
	terminate()
	if code, body := call(t, in, "GET", "/api/users/pg1/lifecycle", ""); code != 503 {
		t.Errorf("GET lifecycle on a terminated session: %d %s, want 503", code, body)
	}
	if code, body := call(t, in, "PUT", "/api/users/pg2", `{"n":2}`); code != 201 {
		t.Errorf("PUT once sessions are fresh: %d %s, want 201", code, body)
	}
}
