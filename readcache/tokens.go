package readcache

import (
	"context"

	"github.com/gonehttp/gone"
)

// Store is a gone.TokenStore too, passing straight through to the store
// underneath, so a Service over the cache finds the named tokens as it
// would over the store. Tokens are not cached: a revocation takes effect at
// the next request. Over a store that keeps no tokens it holds none.
var _ gone.TokenStore = (*Store)(nil)

// TokenByHash is the wrapped store's TokenByHash.
func (c *Store) TokenByHash(ctx context.Context, hash []byte) (*gone.Token, error) {
	ts, ok := c.Store.(gone.TokenStore)
	if !ok {
		return nil, gone.Errorf(gone.ENOTFOUND, "No token has this secret.")
	}
	return ts.TokenByHash(ctx, hash)
}

// Tokens is the wrapped store's Tokens.
func (c *Store) Tokens(ctx context.Context) ([]*gone.Token, error) {
	ts, ok := c.Store.(gone.TokenStore)
	if !ok {
		return nil, nil
	}
	return ts.Tokens(ctx)
}

// UpdateTokens is the wrapped store's UpdateTokens. Token writes touch no
// resource record, so nothing cached changes.
func (c *Store) UpdateTokens(ctx context.Context, fn func(gone.TokenTx) error) error {
	ts, ok := c.Store.(gone.TokenStore)
	if !ok {
		return gone.Errorf(gone.EINTERNAL, "this store keeps no tokens")
	}
	return ts.UpdateTokens(ctx, fn)
}
