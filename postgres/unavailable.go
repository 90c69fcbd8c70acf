package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gonehttp/gone"
)

// unavailable turns the PostgreSQL failures that say "not now" rather than
// "this is wrong" into gone.EUNAVAILABLE (503 and a retry).
func unavailable(err error) error { return gone.UnavailableIf(err, transient) }

// transient reports a failure of the database or the way to it rather than
// of the request: a server that cannot be reached, restarts, shuts down or
// terminates the session, runs out of resources, cancels a statement on a
// timeout, or is a read-only standby after a failover; a connection that
// broke or was never made; or a deadline that ran out meanwhile.
func transient(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"): // connection exception
			return true
		case strings.HasPrefix(pe.Code, "53"): // insufficient resources: disk full, out of memory, too many connections
			return true
		case strings.HasPrefix(pe.Code, "57P"): // admin shutdown, crash shutdown, cannot connect now, database dropped
			return true
		}
		switch pe.Code {
		case "57014", // query_canceled (statement_timeout)
			"55P03", // lock_not_available (lock_timeout)
			"40P01", // deadlock_detected, after Update's own reruns
			"40001", // serialization_failure
			"25006": // read_only_sql_transaction: a standby after failover
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err) ||
		errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.DeadlineExceeded)
}
