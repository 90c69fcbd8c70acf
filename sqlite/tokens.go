package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/gonehttp/gone"
)

var _ gone.TokenStore = (*Store)(nil)

const tokenColumns = `name, hash, scopes, collections, created_at, created_by, expires_at, revoked_at, revoked_by`

const selectTokenByHash = `SELECT ` + tokenColumns + ` FROM tokens WHERE hash = ?`

// TokenByHash returns the token with this secret hash, through the UNIQUE
// index on hash, or ENOTFOUND.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (*gone.Token, error) {
	t, err := scanToken(s.tokenByHash.QueryRowContext(ctx, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, gone.Errorf(gone.ENOTFOUND, "No token has this secret.")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: token by hash: %w", err)
	}
	return t, nil
}

// Tokens returns every token, ordered by name.
func (s *Store) Tokens(ctx context.Context) ([]*gone.Token, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tokens: %w", err)
	}
	defer rows.Close()
	var out []*gone.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: tokens: %w", err)
	}
	return out, nil
}

// UpdateTokens runs fn in one write transaction, as Update does.
func (s *Store) UpdateTokens(ctx context.Context, fn func(gone.TokenTx) error) error {
	return s.Update(ctx, func(t gone.Tx) error { return fn(t.(*tx)) })
}

// Token reads the named token inside the transaction, which holds the
// write lock already (BEGIN IMMEDIATE).
func (t *tx) Token(ctx context.Context, name string) (*gone.Token, error) {
	tok, err := scanToken(t.tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, gone.Errorf(gone.ENOTFOUND, "No token is named %q.", name)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: token %s: %w", name, err)
	}
	return tok, nil
}

// PutToken inserts or replaces the token named tok.Name.
func (t *tx) PutToken(ctx context.Context, tok *gone.Token) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET
			hash = excluded.hash, scopes = excluded.scopes, collections = excluded.collections,
			created_at = excluded.created_at, created_by = excluded.created_by,
			expires_at = excluded.expires_at, revoked_at = excluded.revoked_at, revoked_by = excluded.revoked_by`,
		tok.Name, tok.Hash, joinScopes(tok.Scopes), strings.Join(tok.Collections, " "),
		unix(tok.CreatedAt), tok.CreatedBy, unix(tok.ExpiresAt), unix(tok.RevokedAt), tok.RevokedBy)
	if err != nil {
		return fmt.Errorf("sqlite: put token %s: %w", tok.Name, err)
	}
	return nil
}

func scanToken(row interface{ Scan(...any) error }) (*gone.Token, error) {
	var (
		t                         gone.Token
		scopes, colls             string
		created, expires, revoked sql.NullInt64
	)
	if err := row.Scan(&t.Name, &t.Hash, &scopes, &colls, &created, &t.CreatedBy, &expires, &revoked, &t.RevokedBy); err != nil {
		return nil, err
	}
	t.Scopes = gone.ParseScopes(scopes)
	t.Collections = strings.Fields(colls)
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = fromUnix(created), fromUnix(expires), fromUnix(revoked)
	return &t, nil
}

func joinScopes(scopes []gone.Scope) string {
	s := make([]string, len(scopes))
	for i, sc := range scopes {
		s[i] = string(sc)
	}
	return strings.Join(s, " ")
}
