package gone

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in httpapi and back to one
// sentinel in the client, so a code survives the round trip.
const (
	ECONFLICT     = "conflict"
	EGONE         = "gone"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAVAILABLE  = "unavailable"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EPRECONDITION = "precondition_failed"
	ETOOLARGE     = "too_large"
	EUNSUPPORTED  = "unsupported_media_type"
	ETOOMANY      = "too_many_requests"
	// ETIMEOUT: the request's body stopped arriving before it was whole.
	ETIMEOUT = "request_timeout"
)

// Error is gone's one error type. Message is safe to show a caller; the
// wrapped Err is only for logs.
type Error struct {
	Code    string
	Message string
	// Fields holds per-field validation problems for EINVALID.
	Fields map[string]string
	// Record is the lifecycle record behind a conflict or gone error
	// (for example the tombstone that refuses a create); nil otherwise.
	Record *Record
	// Token is the revoked or expired token behind an unauthorized
	// error, so the answer can say which; nil otherwise.
	Token *Token
	Err   error
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the caller-safe message of err; errors that are not
// *Error hide their cause behind "Internal error.".
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// Unavailable wraps a store failure that says nothing about the data: the
// store is unreachable, restarting, timing out, locked or full. It is
// EUNAVAILABLE, which the HTTP API answers with 503 and a short Retry-After
// (never 500: the request may simply be sent again), and whose cause only
// the log sees. The stores decide which of their errors are such.
func Unavailable(err error) *Error {
	return &Error{Code: EUNAVAILABLE, Message: "The store is not answering right now; try again shortly.", Err: err}
}

// UnavailableIf returns err as Unavailable when transient says it is a
// failure of the store rather than of the request, and err as it is
// otherwise: errors that already carry a code (not found, conflict…) pass
// through untouched, and the rest stay internal (500: a bug to look at).
// Each store passes its own transient, which knows its engine's errors.
func UnavailableIf(err error, transient func(error) bool) error {
	if err == nil || ErrorCode(err) != EINTERNAL || !transient(err) {
		return err
	}
	return Unavailable(err)
}
