package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/internal/pgtest"
)

// BenchmarkUpdateParallel is one write (record and audit event, one
// commit) per op from parallel writers on distinct ids: what the audit lock
// (AppendAudit) serialises.
func BenchmarkUpdateParallel(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.Schema(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var n atomic.Int64
	now := time.Now().UTC().Truncate(time.Second)
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("b%d", n.Add(1))
			err := s.Update(ctx, func(tx gone.Tx) error {
				if _, err := tx.Get(ctx, "users", id); gone.ErrorCode(err) != gone.ENOTFOUND {
					return err
				}
				r := &gone.Record{Collection: "users", ID: id, Data: []byte(`{}`), Version: 1, CreatedAt: now, UpdatedAt: now}
				if err := tx.Put(ctx, r); err != nil {
					return err
				}
				return tx.AppendAudit(ctx, gone.AuditEvent{At: now, Actor: "bench", Action: gone.ActionCreate, Collection: "users", ID: id})
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
