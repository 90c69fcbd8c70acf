package metrics

import (
	"context"
	"time"

	"github.com/gonehttp/gone"
)

// Store is a gone.TokenStore too, so a Service over it finds the named
// tokens without further wiring, and the token lookup, which runs on every
// request with a named token, is timed beside the store's other calls (ops
// token_by_hash, tokens, update_tokens). Over a store that keeps no tokens
// it holds none: no hash matches, the list is empty, and UpdateTokens
// fails.
var _ gone.TokenStore = (*Store)(nil)

// TokenByHash times the wrapped store's TokenByHash.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (*gone.Token, error) {
	ts, ok := s.Store.(gone.TokenStore)
	if !ok {
		return nil, gone.Errorf(gone.ENOTFOUND, "No token has this secret.")
	}
	start := time.Now()
	tok, err := ts.TokenByHash(ctx, hash)
	s.observe("token_by_hash", start, err)
	return tok, err
}

// Tokens times the wrapped store's Tokens.
func (s *Store) Tokens(ctx context.Context) ([]*gone.Token, error) {
	ts, ok := s.Store.(gone.TokenStore)
	if !ok {
		return nil, nil
	}
	start := time.Now()
	toks, err := ts.Tokens(ctx)
	s.observe("tokens", start, err)
	return toks, err
}

// UpdateTokens times the wrapped store's UpdateTokens.
func (s *Store) UpdateTokens(ctx context.Context, fn func(gone.TokenTx) error) error {
	ts, ok := s.Store.(gone.TokenStore)
	if !ok {
		return gone.Errorf(gone.EINTERNAL, "this store keeps no tokens")
	}
	start := time.Now()
	err := ts.UpdateTokens(ctx, fn)
	s.observe("update_tokens", start, err)
	return err
}
