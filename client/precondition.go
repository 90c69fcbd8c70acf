package client

import (
	"net/http"
	"strconv"
	"time"
)

// WriteOption makes a write conditional (RFC 9110 §13.1): the server
// checks it in the same transaction as the write, and answers 412
// (ErrPrecondition, with the current ETag in Error.ETag) when it does not
// hold, changing nothing.
type WriteOption func(http.Header)

// IfMatch writes only if the resource's current ETag is etag (or one of a
// comma-separated list; "*" means "if it exists"). Use the ETag of what you
// read, so a write never overwrites a change you have not seen.
func IfMatch(etag string) WriteOption {
	return func(h http.Header) { h.Set("If-Match", etag) }
}

// IfNoneMatch writes only if the resource's current ETag is not etag.
// IfNoneMatch("*") makes a Put create-only: it fails if the id exists.
func IfNoneMatch(etag string) WriteOption {
	return func(h http.Header) { h.Set("If-None-Match", etag) }
}

// IfUnmodifiedSince writes only if the resource has not changed since t
// (whole seconds). The server ignores it when IfMatch is given.
func IfUnmodifiedSince(t time.Time) WriteOption {
	return func(h http.Header) { h.Set("If-Unmodified-Since", t.UTC().Format(http.TimeFormat)) }
}

// ETag is the entity tag of the lifecycle's version, for IfMatch on the
// lifecycle writes (Delete, Restore, Move, SetLifecycle).
func (l *Lifecycle) ETag() string { return `"` + strconv.FormatInt(l.Version, 10) + `"` }
