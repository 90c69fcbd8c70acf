package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gonehttp/gone"
)

// stateWhere is the SQL form of gone.Record.State for the states List
// serves; $2 is q.Now. Keep it in step with Record.State: moved wins over
// everything, then deletes, then expiry, and an expiry takes effect at
// ExpiresAt itself (now >= expires_at).
var stateWhere = map[gone.State]string{
	// Live includes unavailable: it is withheld, not gone.
	gone.StateLive: `moved_to = '' AND deleted_at IS NULL
		AND (expires_at IS NULL OR expires_at > $2)`,
	gone.StateDeleted: `moved_to = '' AND deleted_at IS NOT NULL
		AND restorable_until > $2`,
	// Gone is every retired id: deleted for good, lapsed trash, expired.
	gone.StateGone: `moved_to = '' AND (
		(deleted_at IS NOT NULL AND (restorable_until IS NULL OR restorable_until <= $2))
		OR (deleted_at IS NULL AND expires_at <= $2))`,
	// A move never lapses, so now plays no part; the cast only gives the
	// unused $2 a type, which PostgreSQL needs for every parameter.
	gone.StateMoved: `moved_to <> '' AND $2::timestamptz IS NOT NULL`,
	gone.StateUnavailable: `moved_to = '' AND deleted_at IS NULL
		AND (expires_at IS NULL OR expires_at > $2) AND unavailable_until > $2`,
}

// List returns up to q.Limit records of q.Collection in q.State at q.Now,
// ordered by id (byte order), after q.After. An empty State means
// StateLive; a state gone.Listable refuses is EINVALID. A Limit
// of zero or less means no limit.
func (s *Store) List(ctx context.Context, q gone.ListQuery) ([]*gone.Record, string, error) {
	state := q.State
	if state == "" {
		state = gone.StateLive
	}
	where, ok := stateWhere[state]
	if !ok {
		return nil, "", gone.Errorf(gone.EINVALID, "Cannot list state %q.", q.State)
	}
	if q.WithData {
		where = "(" + where + ") AND data IS NOT NULL"
	}
	args := []any{q.Collection, q.Now, q.After}
	if !q.ExpiresBefore.IsZero() {
		args = append(args, q.ExpiresBefore)
		where = "(" + where + ") AND expires_at <= $" + strconv.Itoa(len(args))
	}
	sql := "SELECT " + columns + " FROM resources WHERE collection = $1 AND id > $3 AND (" +
		where + ") ORDER BY id"
	if q.Limit > 0 {
		// One more than asked tells whether another page follows.
		args = append(args, q.Limit+1)
		sql += " LIMIT $" + strconv.Itoa(len(args))
	}
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, "", unavailable(fmt.Errorf("postgres: list %s: %w", q.Collection, err))
	}
	recs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*gone.Record, error) {
		return scanRecord(row)
	})
	if err != nil {
		return nil, "", unavailable(fmt.Errorf("postgres: list %s: %w", q.Collection, err))
	}
	next := ""
	if q.Limit > 0 && len(recs) > q.Limit {
		recs = recs[:q.Limit]
		next = recs[len(recs)-1].ID
	}
	return recs, next, nil
}

// Audit returns events matching q, oldest first (newest first with
// q.Newest), after q.AfterSeq and before q.BeforeSeq when set. A Limit
// of zero or less means no limit.
//
// Seq comes from a sequence, but AppendAudit holds a lock from the append
// to the commit, so events commit in Seq order: a page never misses a
// lower Seq that commits later.
func (s *Store) Audit(ctx context.Context, q gone.AuditQuery) ([]gone.AuditEvent, error) {
	var (
		conds = []string{"seq > $1"}
		args  = []any{q.AfterSeq}
	)
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, cond+" $"+strconv.Itoa(len(args)))
	}
	if q.BeforeSeq > 0 {
		add("seq <", q.BeforeSeq)
	}
	if q.Collection != "" {
		add("collection =", q.Collection)
	}
	if q.ID != "" {
		add("id =", q.ID)
	}
	if q.Actor != "" {
		add("actor =", q.Actor)
	}
	if q.Action != "" {
		add("action =", q.Action)
	}
	if !q.Since.IsZero() {
		add("at >=", q.Since)
	}
	if !q.Until.IsZero() {
		add("at <", q.Until)
	}
	sql := "SELECT seq, at, actor, action, collection, id, reason, detail FROM audit WHERE " +
		strings.Join(conds, " AND ") + " ORDER BY seq"
	if q.Newest {
		sql += " DESC"
	}
	if q.Limit > 0 {
		args = append(args, q.Limit)
		sql += " LIMIT $" + strconv.Itoa(len(args))
	}
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: audit: %w", err))
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (gone.AuditEvent, error) {
		var (
			e  gone.AuditEvent
			at *time.Time
		)
		err := row.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Collection, &e.ID, &e.Reason, &e.Detail)
		e.At = fromDB(at)
		return e, err
	})
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: audit: %w", err))
	}
	return events, nil
}
