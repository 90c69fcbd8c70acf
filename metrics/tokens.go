package metrics

import (
	"context"
	"time"

	"github.com/gonehttp/gone"
)

// Tokens returns ts with every call timed in the same histogram as s's
// (ops token_by_hash, tokens, update_tokens). The token lookup runs on
// every request with a named token, so its latency belongs beside the
// store's own.
func (s *Store) Tokens(ts gone.TokenStore) gone.TokenStore {
	if ts == nil {
		return nil
	}
	return &tokenStore{TokenStore: ts, s: s}
}

type tokenStore struct {
	gone.TokenStore
	s *Store
}

func (t *tokenStore) TokenByHash(ctx context.Context, hash []byte) (*gone.Token, error) {
	start := time.Now()
	tok, err := t.TokenStore.TokenByHash(ctx, hash)
	t.s.observe("token_by_hash", start, err)
	return tok, err
}

func (t *tokenStore) Tokens(ctx context.Context) ([]*gone.Token, error) {
	start := time.Now()
	toks, err := t.TokenStore.Tokens(ctx)
	t.s.observe("tokens", start, err)
	return toks, err
}

func (t *tokenStore) UpdateTokens(ctx context.Context, fn func(gone.TokenTx) error) error {
	start := time.Now()
	err := t.TokenStore.UpdateTokens(ctx, fn)
	t.s.observe("update_tokens", start, err)
	return err
}
