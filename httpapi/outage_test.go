package httpapi_test

import (
	"context"
	"database/sql"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// The SQLite file locked by another process's write transaction past
// busy_timeout: a write answers 503 with a short Retry-After and a problem,
// never 500, and leaves nothing behind; reads go on (WAL), and the write
// succeeds once the lock is gone.
func TestLockedStoreIs503(t *testing.T) {
	// Writes time out after 100 ms, well before busy_timeout, so both
	// ways a write can wait for the lock end in a 503.
	e := newEnv(t, gone.WithTimeouts(2*time.Second, 100*time.Millisecond))
	ctx := context.Background()
	other, err := sql.Open("sqlite", e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	w := e.admin("PUT", "/api/users/locked", `{"name":"L"}`)
	wantUnavailable(t, "PUT while the file is locked", w)
	// A write that runs out of the service's write timeout is a 503 too.
	wantUnavailable(t, "DELETE past the write timeout", e.admin("DELETE", "/api/users/42", ""))
	must(t, e.get("/api/users/42"), 200, "GET while the file is locked")
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	must(t, e.get("/api/users/locked"), 404, "GET after the refused write")
	must(t, e.admin("PUT", "/api/users/locked", `{"name":"L"}`), 201, "PUT after the lock")
}

// wantUnavailable checks the answer to a request the store could not serve.
func wantUnavailable(t *testing.T, what string, w *httptest.ResponseRecorder) {
	t.Helper()
	must(t, w, 503, what)
	if ra := w.Header().Get("Retry-After"); ra == "" || len(ra) > 2 {
		t.Errorf("%s: Retry-After = %q, want a short delay", what, ra)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "private, no-store" && cc != "no-store" {
		t.Errorf("%s: Cache-Control = %q, want no-store", what, cc)
	}
	if m := members(t, w); m["type"] != "/problems/unavailable" {
		t.Errorf("%s: problem type = %v, want /problems/unavailable", what, m["type"])
	}
}
