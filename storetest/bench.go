package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/gonehttp/gone"
)

// BenchmarkTokenByHash measures the lookup every request with a named
// token makes, among n stored tokens. Stores call it from their own
// benchmarks.
func BenchmarkTokenByHash(b *testing.B, s gone.TokenStore, n int) {
	ctx := context.Background()
	err := s.UpdateTokens(ctx, func(tx gone.TokenTx) error {
		for i := range n {
			if err := tx.PutToken(ctx, &gone.Token{Name: fmt.Sprint("t", i), Hash: gone.HashSecret(fmt.Sprint("secret", i)),
				Scopes: []gone.Scope{gone.ScopeRead}, CreatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	hash := gone.HashSecret(fmt.Sprint("secret", n/2))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.TokenByHash(ctx, hash); err != nil {
			b.Fatal(err)
		}
	}
}
