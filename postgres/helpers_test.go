package postgres

import (
	"context"
	"testing"
	"time"
)

// testContext bounds a test's database calls so a deadlock fails the test
// instead of hanging it.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
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
