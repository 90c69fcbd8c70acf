package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// testDSN returns the DSN of the test server. Without one the test skips,
// unless the environment says PostgreSQL is required (CI), where a silent
// skip would hide that the store went untested.
func testDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("GONE_TEST_POSTGRES")
	if dsn != "" {
		return dsn
	}
	if os.Getenv("GONE_TEST_POSTGRES_REQUIRED") == "1" || os.Getenv("CI") == "true" {
		t.Fatal("GONE_TEST_POSTGRES not set but required (GONE_TEST_POSTGRES_REQUIRED=1 or CI=true); run scripts/pg-test.sh start")
	}
	t.Skip("GONE_TEST_POSTGRES not set; run scripts/pg-test.sh start")
	return ""
}

// testContext bounds a test's database calls so a deadlock fails the test
// instead of hanging it.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// freshSchema creates an empty schema, dropped when t ends, and returns a
// DSN whose connections use it, so tests never see each other's rows.
func freshSchema(t *testing.T) string {
	t.Helper()
	dsn := testDSN(t)
	var b [6]byte
	rand.Read(b[:])
	schema := "gone_test_" + hex.EncodeToString(b[:])

	ctx := testContext(t)
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to GONE_TEST_POSTGRES: %v", err)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close(ctx)
	})
	return withSearchPath(t, dsn, schema)
}

// withSearchPath adds search_path to dsn; pgx sends unknown DSN settings to
// the server as run-time parameters.
func withSearchPath(t *testing.T, dsn, schema string) string {
	t.Helper()
	if !strings.Contains(dsn, "://") {
		return dsn + " search_path=" + schema
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse GONE_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// openTest opens a store on dsn, closed when t ends.
func openTest(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(testContext(t), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
