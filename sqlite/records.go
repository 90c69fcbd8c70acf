package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gonehttp/gone"
)

const recordColumns = `collection, id, ` + valueColumns

// valueColumns are recordColumns but the key.
const valueColumns = `data, version, created_at, updated_at,
	deleted_at, restorable_until, reason, alternative, deleted_by,
	expires_at, moved_to, unavailable_until, deprecated_at`

const selectRecord = `SELECT ` + recordColumns + ` FROM resources WHERE collection = ? AND id = ?`

const upsertRecord = `INSERT INTO resources (` + recordColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (collection, id) DO UPDATE SET
		data = excluded.data, version = excluded.version,
		created_at = excluded.created_at, updated_at = excluded.updated_at,
		deleted_at = excluded.deleted_at, restorable_until = excluded.restorable_until,
		reason = excluded.reason, alternative = excluded.alternative, deleted_by = excluded.deleted_by,
		expires_at = excluded.expires_at, moved_to = excluded.moved_to,
		unavailable_until = excluded.unavailable_until, deprecated_at = excluded.deprecated_at`

// Get returns the record for (collection, id), or ENOTFOUND.
func (s *Store) Get(ctx context.Context, collection, id string) (*gone.Record, error) {
	r, err := s.get.get(ctx, collection, id)
	return r, unavailable(err)
}

func getRecord(row *sql.Row, collection, id string) (*gone.Record, error) {
	r, err := scanRecord(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(collection, id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %s/%s: %w", collection, id, err)
	}
	return r, nil
}

// notFound is the ENOTFOUND of a lookup. Every cache miss on an unknown id
// builds one, so the message is concatenated rather than formatted.
func notFound(collection, id string) error {
	return &gone.Error{Code: gone.ENOTFOUND, Message: collection + "/" + id + " does not exist."}
}

// scanRecord reads one row of recordColumns from a *sql.Row or *sql.Rows.
func scanRecord(row interface{ Scan(...any) error }) (*gone.Record, error) {
	var (
		r                                                                   gone.Record
		data                                                                []byte
		created, updated, deleted, restorable, expires, unavail, deprecated sql.NullInt64
	)
	err := row.Scan(&r.Collection, &r.ID, &data, &r.Version, &created, &updated,
		&deleted, &restorable, &r.Reason, &r.Alternative, &r.DeletedBy,
		&expires, &r.MovedTo, &unavail, &deprecated)
	if err != nil {
		return nil, err
	}
	if data != nil {
		r.Data = data // Scan into *[]byte already copied it out of the driver
	}
	r.CreatedAt, r.UpdatedAt = fromUnix(created), fromUnix(updated)
	r.DeletedAt, r.RestorableUntil = fromUnix(deleted), fromUnix(restorable)
	r.ExpiresAt, r.UnavailableUntil, r.DeprecatedAt = fromUnix(expires), fromUnix(unavail), fromUnix(deprecated)
	return &r, nil
}

// unix stores a time as whole unix seconds; the zero time is NULL, so
// "unset" stays distinct from 1970.
func unix(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

func fromUnix(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(n.Int64, 0).UTC()
}

// blob binds nil as NULL, so an erased payload is NULL and not an empty
// blob.
func blob(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// Update runs fn in one BEGIN IMMEDIATE transaction on the write connection
// and commits it with a synced WAL. Updates from this process queue for the
// connection, so they are serialised; other processes wait on the file lock
// (busy_timeout), and a lock held past it, like a full disk, is
// EUNAVAILABLE.
func (s *Store) Update(ctx context.Context, fn func(gone.Tx) error) error {
	return unavailable(s.update(ctx, fn))
}

func (s *Store) update(ctx context.Context, fn func(gone.Tx) error) error {
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer sqlTx.Rollback() // no-op after Commit; undoes everything on error or panic
	tx := &tx{s: s, tx: sqlTx}
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	if tx.erased || s.erasePending.Load() {
		// The write is committed and acknowledged; a checkpoint that fails
		// here is retried later rather than reported as a failed write.
		s.erasePending.Store(true)
		_ = s.Checkpoint(context.WithoutCancel(ctx))
	}
	return nil
}

// tx is gone.Tx over one SQLite write transaction.
type tx struct {
	s      *Store
	tx     *sql.Tx
	erased bool // a Put stored nil Data
	// The prepared statements bound to this transaction, made on first
	// use: binding one per call costs more than the statement itself when
	// a batch writes a thousand rows in one transaction.
	get, put, audit             *sql.Stmt
	getMany, putMany, auditMany *sql.Stmt
}

// stmt returns *dst, binding the store's prepared statement to the
// transaction on first use.
func (t *tx) stmt(ctx context.Context, dst **sql.Stmt, prepared *sql.Stmt) *sql.Stmt {
	if *dst == nil {
		*dst = t.tx.StmtContext(ctx, prepared)
	}
	return *dst
}

// Get reads through the transaction, so it sees the transaction's own
// writes; BEGIN IMMEDIATE already holds the write lock, so nothing it read
// can change before commit.
func (t *tx) Get(ctx context.Context, collection, id string) (*gone.Record, error) {
	return getRecord(t.stmt(ctx, &t.get, t.s.txGet).QueryRowContext(ctx, collection, id), collection, id)
}

// Put inserts or replaces r. With secure_delete on, the replaced row's bytes
// are zeroed in the page; the checkpoint after commit clears the WAL.
func (t *tx) Put(ctx context.Context, r *gone.Record) error {
	_, err := t.stmt(ctx, &t.put, t.s.put).ExecContext(ctx,
		r.Collection, r.ID, blob(r.Data), r.Version, unix(r.CreatedAt), unix(r.UpdatedAt),
		unix(r.DeletedAt), unix(r.RestorableUntil), r.Reason, r.Alternative, r.DeletedBy,
		unix(r.ExpiresAt), r.MovedTo, unix(r.UnavailableUntil), unix(r.DeprecatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: put %s/%s: %w", r.Collection, r.ID, err)
	}
	if r.Data == nil {
		t.erased = true
	}
	return nil
}
