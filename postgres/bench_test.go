package postgres

import (
	"context"
	"testing"

	"github.com/gonehttp/gone/internal/pgtest"
	"github.com/gonehttp/gone/storetest"
)

// BenchmarkTokenByHash: the per-request lookup of a named token among 1000,
// one round trip to PostgreSQL.
func BenchmarkTokenByHash(b *testing.B) {
	s, err := Open(context.Background(), pgtest.Schema(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	storetest.BenchmarkTokenByHash(b, s, 1000)
}
