package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gonehttp/gone"
)

// Get returns the record for (collection, id) by primary key, or
// ENOTFOUND.
func (s *Store) Get(ctx context.Context, collection, id string) (*gone.Record, error) {
	r, err := get(ctx, s.pool, collection, id)
	return r, unavailable(err)
}

// querier is what Get needs from a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func get(ctx context.Context, q querier, collection, id string) (*gone.Record, error) {
	r, err := scanRecord(q.QueryRow(ctx,
		"SELECT "+columns+" FROM resources WHERE collection = $1 AND id = $2", collection, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, gone.Errorf(gone.ENOTFOUND, "%s/%s does not exist.", collection, id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get %s/%s: %w", collection, id, err)
	}
	return r, nil
}

// maxAttempts bounds reruns of an Update that PostgreSQL aborted as a
// deadlock victim (two transactions locking the same ids in opposite
// orders, as crossed moves can).
const maxAttempts = 3

// Update runs fn in one READ COMMITTED transaction and commits it before
// returning nil; with synchronous_commit on (the default) the commit is
// durable. If fn returns an error the transaction rolls back and Update
// returns that error unwrapped. fn may run again, from scratch, if
// PostgreSQL breaks a deadlock by aborting this transaction; nothing from
// the aborted run is kept. A database that cannot be reached, restarts or
// times out is EUNAVAILABLE: the write did not happen, or (a connection lost
// during COMMIT) its outcome is unknown, and either way it may be retried
// with a precondition.
func (s *Store) Update(ctx context.Context, fn func(gone.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.update(ctx, fn)
		var pe *pgconn.PgError
		if attempt < maxAttempts && errors.As(err, &pe) && pe.Code == "40P01" {
			continue
		}
		return unavailable(err)
	}
}

func (s *Store) update(ctx context.Context, fn func(gone.Tx) error) error {
	// READ COMMITTED matters: each statement sees rows committed before
	// it started, so the SELECT that follows the advisory lock in Tx.Get
	// sees the previous holder's commit.
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	// After a successful Commit this is a no-op.
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(&pgTx{tx: tx}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		// If the connection broke during COMMIT the outcome is unknown;
		// the caller sees an error either way and must not assume success.
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// pgTx is gone.Tx over one pgx transaction.
type pgTx struct {
	tx          pgx.Tx
	auditLocked bool
}

// Get locks (collection, id) for the rest of the transaction, then reads
// it. The lock is a transaction-scoped advisory lock on a hash of the key
// rather than SELECT … FOR UPDATE, because FOR UPDATE cannot lock a row
// that does not exist yet: two creates of one id would both read "absent".
// A hash collision only makes two unrelated ids take turns.
func (t *pgTx) Get(ctx context.Context, collection, id string) (*gone.Record, error) {
	if _, err := t.tx.Exec(ctx,
		"SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 0))", collection, id); err != nil {
		return nil, fmt.Errorf("postgres: lock %s/%s: %w", collection, id, err)
	}
	// A separate statement, so its snapshot is taken after the lock.
	return get(ctx, t.tx, collection, id)
}

// Put inserts or replaces the whole record. A nil Data stores NULL, so the
// payload is gone from every query once the transaction commits.
func (t *pgTx) Put(ctx context.Context, r *gone.Record) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO resources (`+columns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (collection, id) DO UPDATE SET
			data = EXCLUDED.data, version = EXCLUDED.version,
			created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
			deleted_at = EXCLUDED.deleted_at, restorable_until = EXCLUDED.restorable_until,
			reason = EXCLUDED.reason, alternative = EXCLUDED.alternative,
			deleted_by = EXCLUDED.deleted_by, expires_at = EXCLUDED.expires_at,
			moved_to = EXCLUDED.moved_to, unavailable_until = EXCLUDED.unavailable_until,
			deprecated_at = EXCLUDED.deprecated_at`,
		recordArgs(r)...)
	if err != nil {
		return fmt.Errorf("postgres: put %s/%s: %w", r.Collection, r.ID, err)
	}
	return nil
}

// auditLock is the advisory lock (two-int key space, apart from the id
// locks' bigint one) that orders audit appends: "gone" and 1.
const auditLock = "SELECT pg_advisory_xact_lock(1735356005, 1)"

// AppendAudit inserts one event; the sequence assigns Seq.
//
// A sequence hands out numbers in call order, not commit order: without
// the lock, a reader of the log (the change feed) could see seq 11
// committed, move past it, and never see seq 10 commit after. Holding one
// transaction-scoped lock from the first append to the commit makes the
// order of Seq the order of commits, at the price of serialising the last
// step (append and commit) of concurrent writes.
func (t *pgTx) AppendAudit(ctx context.Context, e gone.AuditEvent) error {
	if !t.auditLocked {
		if _, err := t.tx.Exec(ctx, auditLock); err != nil {
			return fmt.Errorf("postgres: audit lock: %w", err)
		}
		t.auditLocked = true
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO audit (at, actor, action, collection, id, reason, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		toDB(e.At), e.Actor, e.Action, e.Collection, e.ID, e.Reason, e.Detail)
	if err != nil {
		return fmt.Errorf("postgres: audit %s/%s: %w", e.Collection, e.ID, err)
	}
	return nil
}
