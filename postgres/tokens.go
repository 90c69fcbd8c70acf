package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gonehttp/gone"
)

var _ gone.TokenStore = (*Store)(nil)

const tokenColumns = `name, hash, scopes, collections, created_at, created_by, expires_at, revoked_at, revoked_by`

// TokenByHash returns the token with this secret hash, through the UNIQUE
// index on hash, or ENOTFOUND. It reads the committed row every time: a
// revocation committed by any instance is seen by the next call.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (*gone.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, gone.Errorf(gone.ENOTFOUND, "No token has this secret.")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: token by hash: %w", err)
	}
	return t, nil
}

// Tokens returns every token, ordered by name.
func (s *Store) Tokens(ctx context.Context) ([]*gone.Token, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY name`)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*gone.Token, error) { return scanToken(row) })
	if err != nil {
		return nil, fmt.Errorf("postgres: tokens: %w", err)
	}
	return out, nil
}

// UpdateTokens runs fn in one transaction, as Update does.
func (s *Store) UpdateTokens(ctx context.Context, fn func(gone.TokenTx) error) error {
	return s.Update(ctx, func(t gone.Tx) error { return fn(t.(*pgTx)) })
}

// Token locks the name for the rest of the transaction, then reads it. As
// in Get, the lock is an advisory lock on a hash of the key, because FOR
// UPDATE cannot lock a row that does not exist yet; the key starts with
// "tokens/", which no record's key can, "tokens" being no collection's
// name.
func (t *pgTx) Token(ctx context.Context, name string) (*gone.Token, error) {
	if _, err := t.tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('tokens/' || $1, 0))", name); err != nil {
		return nil, fmt.Errorf("postgres: lock token %s: %w", name, err)
	}
	tok, err := scanToken(t.tx.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, gone.Errorf(gone.ENOTFOUND, "No token is named %q.", name)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: token %s: %w", name, err)
	}
	return tok, nil
}

// PutToken inserts or replaces the token named tok.Name.
func (t *pgTx) PutToken(ctx context.Context, tok *gone.Token) error {
	scopes := make([]string, len(tok.Scopes))
	for i, sc := range tok.Scopes {
		scopes[i] = string(sc)
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO tokens (`+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (name) DO UPDATE SET
			hash = EXCLUDED.hash, scopes = EXCLUDED.scopes, collections = EXCLUDED.collections,
			created_at = EXCLUDED.created_at, created_by = EXCLUDED.created_by,
			expires_at = EXCLUDED.expires_at, revoked_at = EXCLUDED.revoked_at, revoked_by = EXCLUDED.revoked_by`,
		tok.Name, tok.Hash, strings.Join(scopes, " "), strings.Join(tok.Collections, " "),
		toDB(tok.CreatedAt), tok.CreatedBy, toDB(tok.ExpiresAt), toDB(tok.RevokedAt), tok.RevokedBy)
	if err != nil {
		return fmt.Errorf("postgres: put token %s: %w", tok.Name, err)
	}
	return nil
}

func scanToken(row pgx.Row) (*gone.Token, error) {
	var (
		t             gone.Token
		scopes, colls string
		tm            [3]*time.Time
	)
	if err := row.Scan(&t.Name, &t.Hash, &scopes, &colls, &tm[0], &t.CreatedBy, &tm[1], &tm[2], &t.RevokedBy); err != nil {
		return nil, err
	}
	t.Scopes = gone.ParseScopes(scopes)
	t.Collections = strings.Fields(colls)
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = fromDB(tm[0]), fromDB(tm[1]), fromDB(tm[2])
	return &t, nil
}
