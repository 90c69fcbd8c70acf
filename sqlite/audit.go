package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

const insertAudit = `INSERT INTO audit (at, actor, action, collection, id, reason, detail)
	VALUES (?, ?, ?, ?, ?, ?, ?)`

// AppendAudit records e; SQLite assigns Seq.
func (t *tx) AppendAudit(ctx context.Context, e gone.AuditEvent) error {
	_, err := t.stmt(ctx, &t.audit, t.s.audit).ExecContext(ctx,
		unix(e.At), e.Actor, e.Action, e.Collection, e.ID, e.Reason, e.Detail)
	if err != nil {
		return fmt.Errorf("sqlite: audit %s %s/%s: %w", e.Action, e.Collection, e.ID, err)
	}
	return nil
}

// Audit returns matching events, oldest first. An empty Collection or ID
// matches all; a Limit of zero or less means no limit.
func (s *Store) Audit(ctx context.Context, q gone.AuditQuery) ([]gone.AuditEvent, error) {
	limit := -1
	if q.Limit > 0 {
		limit = q.Limit
	}
	// Only the filters in use go into the WHERE clause, so with both
	// Collection and ID set SQLite walks audit_by_resource from AfterSeq on.
	where, args := []string{"seq > ?"}, []any{q.AfterSeq}
	if q.BeforeSeq > 0 {
		where, args = append(where, "seq < ?"), append(args, q.BeforeSeq)
	}
	if q.Collection != "" {
		where, args = append(where, "collection = ?"), append(args, q.Collection)
	}
	if q.ID != "" {
		where, args = append(where, "id = ?"), append(args, q.ID)
	}
	if q.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, q.Actor)
	}
	if q.Action != "" {
		where, args = append(where, "action = ?"), append(args, q.Action)
	}
	// Stored times are whole seconds, so comparing with Since and Until
	// rounded up gives exactly "at >= Since" and "at < Until".
	if !q.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, ceilUnix(q.Since))
	}
	if !q.Until.IsZero() {
		where, args = append(where, "at < ?"), append(args, ceilUnix(q.Until))
	}
	order := "ASC"
	if q.Newest {
		order = "DESC"
	}
	rows, err := s.r.QueryContext(ctx, `SELECT seq, at, actor, action, collection, id, reason, detail
		FROM audit WHERE `+strings.Join(where, " AND ")+` ORDER BY seq `+order+` LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: audit: %w", err))
	}
	defer rows.Close()
	var evs []gone.AuditEvent
	for rows.Next() {
		var (
			e  gone.AuditEvent
			at sql.NullInt64
		)
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Collection, &e.ID, &e.Reason, &e.Detail); err != nil {
			return nil, unavailable(fmt.Errorf("sqlite: audit: %w", err))
		}
		e.At = fromUnix(at)
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: audit: %w", err))
	}
	return evs, nil
}

// ceilUnix is t in unix seconds, rounded up.
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}
