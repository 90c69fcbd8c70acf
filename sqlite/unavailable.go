package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gonehttp/gone"
)

// unavailable turns the SQLite failures that say "not now" rather than
// "this is wrong" into gone.EUNAVAILABLE (503 and a retry).
func unavailable(err error) error { return gone.UnavailableIf(err, transient) }

// transient reports a failure of the store rather than of the request: the
// file locked by another process past busy_timeout (BUSY, LOCKED), the disk
// full (FULL), an I/O error or a file that cannot be opened (IOERR,
// CANTOPEN, e.g. a volume gone away), memory exhausted (NOMEM), or a
// deadline that ran out while waiting for any of these.
func transient(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		// Extended result codes keep the primary code in the low byte.
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL,
			sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOMEM:
			return true
		}
		return false
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, sql.ErrConnDone)
}
