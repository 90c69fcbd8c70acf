package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/storetest"
)

// benchStore holds n records of ~500 bytes, so lookups go through a b-tree
// of realistic depth rather than one page.
func benchStore(b *testing.B, n int) *Store {
	b.Helper()
	s, _ := openTemp(b)
	b.Cleanup(func() { s.Close() })
	ctx := context.Background()
	const batch = 1000
	for i := 0; i < n; i += batch {
		err := s.Update(ctx, func(tx gone.Tx) error {
			for j := i; j < min(i+batch, n); j++ {
				data := json.RawMessage(fmt.Sprintf(`{"id":%d,"name":"user %d","bio":"%0480d"}`, j, j, j))
				if err := tx.Put(ctx, &gone.Record{Collection: "users", ID: fmt.Sprint(j), Data: data, Version: 1, CreatedAt: t0, UpdatedAt: t0}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	return s
}

// BenchmarkGet is the read path every request takes: one id, one lookup.
func BenchmarkGet(b *testing.B) {
	s := benchStore(b, 10000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Get(ctx, "users", "4242"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetParallel shows how the read pool scales across cores.
func BenchmarkGetParallel(b *testing.B) {
	s := benchStore(b, 10000)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Get(ctx, "users", "4242"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGetNotFound is the 404 path; it should cost the same as a hit.
func BenchmarkGetNotFound(b *testing.B) {
	s := benchStore(b, 10000)
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Get(ctx, "users", "no-such-id"); gone.ErrorCode(err) != gone.ENOTFOUND {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdate is one durable write (synchronous=FULL: an fsync per
// commit), the cost of every acknowledged change.
func BenchmarkUpdate(b *testing.B) {
	s := benchStore(b, 1000)
	ctx := context.Background()
	var v int64
	for b.Loop() {
		v++
		err := s.Update(ctx, func(tx gone.Tx) error {
			r, err := tx.Get(ctx, "users", "42")
			if err != nil {
				return err
			}
			r.Version = v
			if err := tx.Put(ctx, r); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, gone.AuditEvent{At: t0, Actor: "bench", Action: gone.ActionPatch, Collection: "users", ID: "42"})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokenByHash: the per-request lookup of a named token among 1000.
func BenchmarkTokenByHash(b *testing.B) {
	s, _ := openTemp(b)
	b.Cleanup(func() { s.Close() })
	storetest.BenchmarkTokenByHash(b, s, 1000)
}
