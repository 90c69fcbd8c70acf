package readcache_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gonehttp/gone"
)

// benchIDs puts n live users in the world's store, in one transaction.
func benchIDs(b *testing.B, w *world, n int) []string {
	ids := make([]string, n)
	err := w.raw.Update(context.Background(), func(tx gone.Tx) error {
		for i := range ids {
			ids[i] = fmt.Sprintf("b%06d", i)
			if err := tx.Put(context.Background(), &gone.Record{Collection: "users", ID: ids[i], Data: []byte(`{"n":1}`), Version: 1, CreatedAt: w.now, UpdatedAt: w.now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return ids
}

// BenchmarkGet compares a Get answered from memory, a miss (store lookup,
// fill, and an eviction since the ids outnumber the bound) and the bare
// store lookup the cache saves.
func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	b.Run("hit", func(b *testing.B) {
		w := newWorld(b, 1000)
		ids := benchIDs(b, w, 100)
		for _, id := range ids {
			w.cache.Get(ctx, "users", id)
		}
		getLoop(b, w.cache, ids)
	})
	b.Run("miss", func(b *testing.B) {
		w := newWorld(b, 64) // one entry per shard: nearly every Get misses and evicts
		ids := benchIDs(b, w, 10000)
		getLoop(b, w.cache, ids)
	})
	b.Run("store", func(b *testing.B) {
		w := newWorld(b, 64)
		ids := benchIDs(b, w, 10000)
		getLoop(b, w.raw, ids)
	})
}

// getLoop reads ids in turn from s until the benchmark ends.
func getLoop(b *testing.B, s gone.Store, ids []string) {
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Get(ctx, "users", ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkUniform reads ids drawn evenly from a population four times the
// bound, through the cache and straight from the store: the cache-hostile
// load, where the cache must cost next to nothing.
func BenchmarkUniform(b *testing.B) {
	ctx := context.Background()
	for _, cached := range []bool{true, false} {
		b.Run(fmt.Sprintf("cached=%v", cached), func(b *testing.B) {
			w := newWorld(b, 5000)
			ids := benchIDs(b, w, 20000)
			var s gone.Store = w.cache
			if !cached {
				s = w.raw
			}
			b.ReportAllocs()
			rnd := rand.New(rand.NewPCG(1, 2))
			for b.Loop() {
				if _, err := s.Get(ctx, "users", ids[rnd.IntN(len(ids))]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
