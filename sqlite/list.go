package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/gonehttp/gone"
)

// stateWhere selects a state at ?now (unix seconds, rounded down). Times are
// whole seconds, so "t > now" rounded down is the same test as "t after now"
// exactly, which is what gone.Record.State does. A moved record is in the
// moved list only: moved wins over everything, as in Record.State.
var stateWhere = map[gone.State]string{
	gone.StateLive:    `moved_to = '' AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > :now)`,
	gone.StateDeleted: `moved_to = '' AND deleted_at IS NOT NULL AND restorable_until > :now`,
	gone.StateGone: `moved_to = '' AND ((deleted_at IS NOT NULL AND (restorable_until IS NULL OR restorable_until <= :now))
		OR (deleted_at IS NULL AND expires_at <= :now))`,
	gone.StateMoved: `moved_to <> ''`,
	gone.StateUnavailable: `moved_to = '' AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > :now)
		AND unavailable_until > :now`,
}

// List returns one page of a collection in q.State at q.Now, in id order.
// It asks for one row more than the page, so next is "" exactly when
// nothing follows.
func (s *Store) List(ctx context.Context, q gone.ListQuery) ([]*gone.Record, string, error) {
	st := q.State
	if st == "" {
		st = gone.StateLive
	}
	where, ok := stateWhere[st]
	if !ok {
		return nil, "", gone.Errorf(gone.EINVALID, "cannot list state %q", q.State)
	}
	if q.WithData {
		where = "(" + where + ") AND data IS NOT NULL"
	}
	before := int64(-1) // unused unless ExpiresBefore is set
	if !q.ExpiresBefore.IsZero() {
		where = "(" + where + ") AND expires_at <= :before"
		before = q.ExpiresBefore.Unix()
	}
	limit := -1 // SQLite: no limit
	if q.Limit > 0 {
		limit = q.Limit + 1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+recordColumns+` FROM resources
		WHERE collection = :collection AND id > :after AND (`+where+`)
		ORDER BY id LIMIT :limit`,
		sql.Named("collection", q.Collection), sql.Named("after", q.After),
		sql.Named("now", q.Now.Unix()), sql.Named("before", before), sql.Named("limit", limit))
	if err != nil {
		return nil, "", unavailable(fmt.Errorf("sqlite: list %s: %w", q.Collection, err))
	}
	defer rows.Close()
	var recs []*gone.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, "", unavailable(fmt.Errorf("sqlite: list %s: %w", q.Collection, err))
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", unavailable(fmt.Errorf("sqlite: list %s: %w", q.Collection, err))
	}
	if q.Limit > 0 && len(recs) > q.Limit {
		recs = recs[:q.Limit]
		return recs, recs[len(recs)-1].ID, nil
	}
	return recs, "", nil
}
