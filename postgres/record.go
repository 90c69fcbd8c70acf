package postgres

import (
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gonehttp/gone"
)

// columns lists resources' columns in the order scanRecord and recordArgs
// use them.
const columns = `collection, id, data, version, created_at, updated_at,
	deleted_at, restorable_until, reason, alternative, deleted_by,
	expires_at, moved_to, unavailable_until, deprecated_at`

// scanRecord reads one row of columns.
func scanRecord(row pgx.Row) (*gone.Record, error) {
	var (
		r    gone.Record
		data []byte
		t    [7]*time.Time
	)
	err := row.Scan(&r.Collection, &r.ID, &data, &r.Version, &t[0], &t[1],
		&t[2], &t[3], &r.Reason, &r.Alternative, &r.DeletedBy,
		&t[4], &r.MovedTo, &t[5], &t[6])
	if err != nil {
		return nil, err
	}
	if data != nil {
		r.Data = data
	}
	r.CreatedAt, r.UpdatedAt = fromDB(t[0]), fromDB(t[1])
	r.DeletedAt, r.RestorableUntil = fromDB(t[2]), fromDB(t[3])
	r.ExpiresAt, r.UnavailableUntil, r.DeprecatedAt = fromDB(t[4]), fromDB(t[5]), fromDB(t[6])
	return &r, nil
}

// recordArgs returns r's values in columns order.
func recordArgs(r *gone.Record) []any {
	var data []byte
	if r.Data != nil {
		// A non-nil empty slice stays an empty bytea, not NULL.
		data = []byte(r.Data)
	}
	return []any{r.Collection, r.ID, data, r.Version, toDB(r.CreatedAt), toDB(r.UpdatedAt),
		toDB(r.DeletedAt), toDB(r.RestorableUntil), r.Reason, r.Alternative, r.DeletedBy,
		toDB(r.ExpiresAt), r.MovedTo, toDB(r.UnavailableUntil), toDB(r.DeprecatedAt)}
}

// toDB maps the zero time, gone's "not set", to NULL.
func toDB(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// fromDB maps NULL back to the zero time and reports times in UTC, as
// gone writes them; timestamptz keeps microseconds.
func fromDB(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
