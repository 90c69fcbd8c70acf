package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/sqlite"
)

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "gone.db"), filepath.Join(dir, "copy.db")
	ctx := context.Background()
	store, err := sqlite.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	// The source stays open, as under a running server.
	if err := store.Update(ctx, func(tx gone.Tx) error {
		return tx.Put(ctx, &gone.Record{Collection: "users", ID: "42", Data: json.RawMessage(`{"name":"Ada"}`), Version: 1})
	}); err != nil {
		t.Fatal(err)
	}

	noenv := func(string) string { return "" }
	var out bytes.Buffer
	if err := run(ctx, []string{"backup", "--db", src, dst}, noenv, nil, &out, &out); err != nil {
		t.Fatalf("gone backup: %v; output: %s", err, out.String())
	}
	copied, err := sqlite.Open(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	r, err := copied.Get(ctx, "users", "42")
	if err != nil || string(r.Data) != `{"name":"Ada"}` {
		t.Errorf("backup's users/42 = %+v, %v; want the record", r, err)
	}

	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"destination exists", []string{"backup", "--db", src, dst}, exitFailed},
		{"no database", []string{"backup", "--db", filepath.Join(dir, "missing.db"), filepath.Join(dir, "x.db")}, exitFailed},
		{"no destination", []string{"backup", "--db", src}, exitUsage},
		{"postgres", []string{"backup", "--db", "postgres://localhost/gone", filepath.Join(dir, "y.db")}, exitUsage},
	} {
		err := run(ctx, tc.args, noenv, nil, &out, &out)
		if got := exitCodeOf(err); got != tc.code {
			t.Errorf("%s: gone %v: exit %d (%v), want %d", tc.name, tc.args, got, err, tc.code)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup of a missing database created it (stat: %v)", err)
	}
}

// exitCodeOf is the exit code main would give err, without printing.
func exitCodeOf(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	default:
		return exitFailed
	}
}
