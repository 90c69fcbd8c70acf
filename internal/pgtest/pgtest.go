// Package pgtest gives tests an isolated PostgreSQL schema on the server
// named by GONE_TEST_POSTGRES (see scripts/pg-test.sh).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DSN returns the test server's DSN. Without one the test skips, unless the
// environment says PostgreSQL is required (GONE_TEST_POSTGRES_REQUIRED=1 or
// CI=true), where a silent skip would hide an untested store.
func DSN(t testing.TB) string {
	t.Helper()
	if dsn := os.Getenv("GONE_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	if os.Getenv("GONE_TEST_POSTGRES_REQUIRED") == "1" || os.Getenv("CI") == "true" {
		t.Fatal("GONE_TEST_POSTGRES not set but required (GONE_TEST_POSTGRES_REQUIRED=1 or CI=true); run scripts/pg-test.sh start")
	}
	t.Skip("GONE_TEST_POSTGRES not set; run scripts/pg-test.sh start")
	return ""
}

// Schema creates an empty schema, dropped when t ends, and returns a DSN
// whose connections use it, so tests never see each other's rows.
func Schema(t testing.TB) string {
	t.Helper()
	dsn := DSN(t)
	var b [6]byte
	rand.Read(b[:])
	schema := "gone_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
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
func withSearchPath(t testing.TB, dsn, schema string) string {
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

// Main runs a package's tests, as its TestMain, and when PostgreSQL was not
// given says so in one line. go test hides everything a passing package
// prints, even with its tests skipped, so the line goes to the terminal
// (/dev/tty) when there is one; with -v it is also in the test output.
func Main(m *testing.M) {
	code := m.Run()
	if line := Notice(os.Getenv); line != "" {
		fmt.Fprintln(os.Stderr, line)
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			fmt.Fprintln(tty, line)
			tty.Close()
		}
	}
	os.Exit(code)
}

// Notice is the line Main prints, or "" when GONE_TEST_POSTGRES is set.
func Notice(getenv func(string) string) string {
	if getenv("GONE_TEST_POSTGRES") != "" {
		return ""
	}
	pkg := "the PostgreSQL tests"
	if len(os.Args) > 0 {
		pkg = "the PostgreSQL tests of " + strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
	}
	return "gone: " + pkg + " skipped: GONE_TEST_POSTGRES is not set; eval \"$(scripts/pg-test.sh start)\" starts a throwaway PostgreSQL and sets it"
}
