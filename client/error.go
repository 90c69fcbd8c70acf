package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors, one per kind of answer. Test for them with errors.Is;
// use errors.As with *Error to read the problem's members.
var (
	ErrInvalid          = errors.New("gone: invalid request")        // 400
	ErrUnauthorized     = errors.New("gone: unauthorized")           // 401
	ErrForbidden        = errors.New("gone: forbidden")              // 403
	ErrNotFound         = errors.New("gone: not found")              // 404
	ErrMethodNotAllowed = errors.New("gone: method not allowed")     // 405
	ErrRequestTimeout   = errors.New("gone: request timeout")        // 408
	ErrConflict         = errors.New("gone: conflict")               // 409
	ErrGone             = errors.New("gone: gone")                   // 410
	ErrPrecondition     = errors.New("gone: precondition failed")    // 412
	ErrTooLarge         = errors.New("gone: request too large")      // 413
	ErrUnsupported      = errors.New("gone: unsupported media type") // 415
	ErrTooManyRequests  = errors.New("gone: too many requests")      // 429
	ErrInternal         = errors.New("gone: internal server error")  // 500
	ErrUnavailable      = errors.New("gone: unavailable")            // 503
)

// statusErr is the one table from status to sentinel.
var statusErr = map[int]error{
	http.StatusBadRequest:            ErrInvalid,
	http.StatusUnauthorized:          ErrUnauthorized,
	http.StatusForbidden:             ErrForbidden,
	http.StatusNotFound:              ErrNotFound,
	http.StatusMethodNotAllowed:      ErrMethodNotAllowed,
	http.StatusRequestTimeout:        ErrRequestTimeout,
	http.StatusConflict:              ErrConflict,
	http.StatusGone:                  ErrGone,
	http.StatusPreconditionFailed:    ErrPrecondition,
	http.StatusRequestEntityTooLarge: ErrTooLarge,
	http.StatusUnsupportedMediaType:  ErrUnsupported,
	http.StatusTooManyRequests:       ErrTooManyRequests,
	http.StatusInternalServerError:   ErrInternal,
	http.StatusServiceUnavailable:    ErrUnavailable,
}

// Error is an error answer from a gone server: the RFC 9457 problem with
// the seeds' members and gone's extensions. Which members are set depends
// on the status: a 410 carries DeletedAt or ExpiredAt, Reason and
// Alternative; a 404 for a mistyped URL carries Suggestion; a 503 or 429
// carries RetryAfter.
type Error struct {
	// Method and URL are the request that got this answer.
	Method string
	URL    string

	Type     string
	Title    string
	Status   int
	Detail   string
	Instance string
	// ErrorName and Message are the seeds' "error" and "message" members.
	ErrorName string
	Message   string

	DeletedAt       time.Time
	ExpiredAt       time.Time
	RestorableUntil time.Time
	Reason          string
	Alternative     string
	Suggestion      string
	State           string
	MovedTo         string
	// RetryAfter is how long the server asked callers to wait, from the
	// Retry-After header (seconds or HTTP-date) or the body.
	RetryAfter time.Duration
	// AvailableAt is when a 503 resource is expected back (the body's
	// availableAt): exact, where Retry-After is capped by the server.
	AvailableAt time.Time
	// ETag is the resource's current entity tag on a 412, for a retry
	// with IfMatch after reading it again.
	ETag string
	// Errors maps field names to what is wrong with them (400).
	Errors    map[string]string
	RequestID string
	// TokenState says why a bearer token was refused (401): "unknown",
	// "revoked" (since RevokedAt) or "expired" (since ExpiredAt).
	TokenState string
	RevokedAt  time.Time

	// Local reports that the client answered from its own memory (a 410
	// it remembers, or a 404 still fresh in its negative cache) without
	// sending a request.
	Local bool
	// Body is the raw response body, for answers that are not problems.
	Body []byte
}

// Error describes the answer in one line.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
	if msg := e.text(); msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	return b.String()
}

// text is the most specific human text the problem carries.
func (e *Error) text() string {
	for _, s := range []string{e.Message, e.Detail, e.Title} {
		if s != "" {
			return s
		}
	}
	return ""
}

// Is makes errors.Is(err, ErrGone) and its siblings work by status.
func (e *Error) Is(target error) bool {
	s, ok := statusErr[e.Status]
	return ok && s == target
}

// clone returns a copy that callers may keep or change without touching
// the client's memory.
func (e *Error) clone() *Error {
	c := *e
	c.Body = append([]byte(nil), e.Body...)
	if e.Errors != nil {
		c.Errors = make(map[string]string, len(e.Errors))
		for k, v := range e.Errors {
			c.Errors[k] = v
		}
	}
	return &c
}

// problem is the wire form of a problem body.
type problem struct {
	Type            string            `json:"type"`
	Title           string            `json:"title"`
	Status          int               `json:"status"`
	Detail          string            `json:"detail"`
	Instance        string            `json:"instance"`
	Error           string            `json:"error"`
	Message         string            `json:"message"`
	DeletedAt       string            `json:"deletedAt"`
	ExpiredAt       string            `json:"expiredAt"`
	RestorableUntil string            `json:"restorableUntil"`
	Reason          string            `json:"reason"`
	Alternative     string            `json:"alternative"`
	Suggestion      string            `json:"suggestion"`
	State           string            `json:"state"`
	MovedTo         string            `json:"movedTo"`
	RetryAfter      int               `json:"retryAfter"`
	AvailableAt     string            `json:"availableAt"`
	Errors          map[string]string `json:"errors"`
	RequestID       string            `json:"requestId"`
	TokenState      string            `json:"tokenState"`
	RevokedAt       string            `json:"revokedAt"`
}

// newError builds the error for a non-2xx answer. A body that is not a
// problem still yields an *Error with the status, so errors.Is works for
// answers from proxies in front of gone too.
func newError(method, url string, resp *response, now time.Time) *Error {
	e := &Error{Method: method, URL: url, Status: resp.status, Body: resp.body}
	var p problem
	if len(resp.body) > 0 && json.Unmarshal(resp.body, &p) == nil {
		e.Type, e.Title, e.Detail, e.Instance = p.Type, p.Title, p.Detail, p.Instance
		e.ErrorName, e.Message = p.Error, p.Message
		e.DeletedAt, e.ExpiredAt = parseStamp(p.DeletedAt), parseStamp(p.ExpiredAt)
		e.RestorableUntil = parseStamp(p.RestorableUntil)
		e.Reason, e.Alternative, e.Suggestion = p.Reason, p.Alternative, p.Suggestion
		e.State, e.MovedTo, e.Errors, e.RequestID = p.State, p.MovedTo, p.Errors, p.RequestID
		e.RetryAfter = secondsDuration(int64(p.RetryAfter))
		e.AvailableAt = parseStamp(p.AvailableAt)
		e.TokenState, e.RevokedAt = p.TokenState, parseStamp(p.RevokedAt)
	}
	e.ETag = resp.header.Get("ETag")
	if d, ok := parseRetryAfter(resp.header.Get("Retry-After"), now); ok {
		e.RetryAfter = d
	}
	return e
}

// maxRetryAfter bounds a delay read from a server: a huge Retry-After
// would overflow time.Duration into a negative wait (and a retry storm).
const maxRetryAfter = 100 * 365 * 24 * time.Hour

// secondsDuration converts seconds from the wire to a Duration, capped at
// maxRetryAfter.
func secondsDuration(n int64) time.Duration {
	if n > int64(maxRetryAfter/time.Second) {
		return maxRetryAfter
	}
	return time.Duration(n) * time.Second
}

func parseStamp(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP-date
// (RFC 9110 §10.2.3). A date in the past means "now".
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, false
		}
		return secondsDuration(int64(n)), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
