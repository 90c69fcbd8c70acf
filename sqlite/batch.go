package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/gonehttp/gone"
)

var _ gone.BatchTx = (*tx)(nil)

// batchRows is how many rows one multi-row statement carries: 15 columns a
// record keeps it far below SQLite's limit of 32766 bound parameters.
const batchRows = 500

const (
	oneRecord = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	oneEvent  = "(?, ?, ?, ?, ?, ?, ?)"
)

// The multi-row statements for n rows. Those for batchRows rows are
// prepared once at open: preparing a statement of 7,500 parameters costs
// as much as running it.
func selectMany(n int) string {
	return `SELECT ` + recordColumns + ` FROM resources WHERE collection = ? AND id IN (?` + strings.Repeat(",?", n-1) + `)`
}

func upsertMany(n int) string {
	head, tail, _ := strings.Cut(upsertRecord, oneRecord)
	return head + oneRecord + strings.Repeat(", "+oneRecord, n-1) + tail
}

func insertAuditMany(n int) string {
	head, _, _ := strings.Cut(insertAudit, oneEvent)
	return head + oneEvent + strings.Repeat(", "+oneEvent, n-1)
}

// many returns the statement for n rows inside the transaction: the
// prepared one for a full batch, else q(n) prepared on the spot.
func (t *tx) many(ctx context.Context, n int, dst **sql.Stmt, prepared *sql.Stmt, q func(int) string) (*sql.Stmt, func(), error) {
	if n == batchRows {
		return t.stmt(ctx, dst, prepared), func() {}, nil
	}
	st, err := t.tx.PrepareContext(ctx, q(n))
	if err != nil {
		return nil, nil, err
	}
	return st, func() { st.Close() }, nil
}

// GetMany reads the records of ids in statements of up to batchRows ids.
func (t *tx) GetMany(ctx context.Context, collection string, ids []string) (map[string]*gone.Record, error) {
	m := make(map[string]*gone.Record, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), batchRows)
		args := make([]any, 0, n+1)
		args = append(args, collection)
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		st, done, err := t.many(ctx, n, &t.getMany, t.s.getMany, selectMany)
		if err != nil {
			return nil, fmt.Errorf("sqlite: get %d of %s: %w", n, collection, err)
		}
		rows, err := st.QueryContext(ctx, args...)
		defer done()
		if err != nil {
			return nil, fmt.Errorf("sqlite: get %d of %s: %w", n, collection, err)
		}
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: get %d of %s: %w", n, collection, err)
			}
			m[r.ID] = r
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("sqlite: get %d of %s: %w", n, collection, err)
		}
		ids = ids[n:]
	}
	return m, nil
}

// PutMany upserts rs in statements of up to batchRows records. SQLite
// applies a multi-row INSERT row by row, so a record repeated in rs ends as
// its last version, as with Put one by one.
func (t *tx) PutMany(ctx context.Context, rs []*gone.Record) error {
	for len(rs) > 0 {
		n := min(len(rs), batchRows)
		args := make([]any, 0, 15*n)
		for _, r := range rs[:n] {
			args = append(args, r.Collection, r.ID, blob(r.Data), r.Version, unix(r.CreatedAt), unix(r.UpdatedAt),
				unix(r.DeletedAt), unix(r.RestorableUntil), r.Reason, r.Alternative, r.DeletedBy,
				unix(r.ExpiresAt), r.MovedTo, unix(r.UnavailableUntil), unix(r.DeprecatedAt))
			if r.Data == nil {
				t.erased = true
			}
		}
		st, done, err := t.many(ctx, n, &t.putMany, t.s.putMany, upsertMany)
		if err == nil {
			_, err = st.ExecContext(ctx, args...)
			done()
		}
		if err != nil {
			return fmt.Errorf("sqlite: put %d records: %w", n, err)
		}
		rs = rs[n:]
	}
	return nil
}

// AppendAudits inserts es in statements of up to batchRows events; SQLite
// assigns their Seq in order.
func (t *tx) AppendAudits(ctx context.Context, es []gone.AuditEvent) error {
	for len(es) > 0 {
		n := min(len(es), batchRows)
		args := make([]any, 0, 7*n)
		for _, e := range es[:n] {
			args = append(args, unix(e.At), e.Actor, e.Action, e.Collection, e.ID, e.Reason, e.Detail)
		}
		st, done, err := t.many(ctx, n, &t.auditMany, t.s.auditMany, insertAuditMany)
		if err == nil {
			_, err = st.ExecContext(ctx, args...)
			done()
		}
		if err != nil {
			return fmt.Errorf("sqlite: audit %d events: %w", n, err)
		}
		es = es[n:]
	}
	return nil
}
