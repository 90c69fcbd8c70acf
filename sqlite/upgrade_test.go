package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/gonehttp/gone"
)

// A file made before named tokens existed (schema version 1) opens, gains
// the tokens table, and keeps its records.
func TestUpgradeFromBeforeTokens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	first, err := migrations.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	if err := step(ctx, db, string(first), 1); err != nil {
		t.Fatalf("schema version 1: %v", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO resources (collection, id, data, version) VALUES ('users', '1', CAST('{"a":1}' AS BLOB), 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a version-1 file: %v", err)
	}
	defer s.Close()
	r, err := s.Get(ctx, "users", "1")
	if err != nil || string(r.Data) != `{"a":1}` {
		t.Fatalf("Get after upgrade = %+v, %v; want the old record", r, err)
	}
	tok := &gone.Token{Name: "t", Hash: gone.HashSecret("s"), Scopes: []gone.Scope{gone.ScopeRead}, CreatedAt: t0}
	if err := s.UpdateTokens(ctx, func(tx gone.TokenTx) error { return tx.PutToken(ctx, tok) }); err != nil {
		t.Fatalf("PutToken after upgrade: %v", err)
	}
	if got, err := s.TokenByHash(ctx, tok.Hash); err != nil || got.Name != "t" {
		t.Errorf("TokenByHash after upgrade = %+v, %v", got, err)
	}
}
