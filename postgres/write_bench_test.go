package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/internal/pgtest"
)

// BenchmarkWrite measures one write as Service makes it (lock and read the
// id, put the record, append an audit event, commit): the cost the change
// notification trigger adds to must stay small.
func BenchmarkWrite(b *testing.B) {
	s, err := Open(context.Background(), pgtest.Schema(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		id := fmt.Sprintf("w%d", i)
		err := s.Update(ctx, func(tx gone.Tx) error {
			if _, err := tx.Get(ctx, "users", id); err != nil && !gone.IsNotFound(err) {
				return err
			}
			r := &gone.Record{Collection: "users", ID: id, Data: []byte(`{"n":1}`), Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := tx.Put(ctx, r); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, gone.AuditEvent{At: now, Actor: "bench", Action: gone.ActionCreate, Collection: "users", ID: id})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
