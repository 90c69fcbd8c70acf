package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gonehttp/gone"
)

// Problem is an RFC 9457 problem detail. It also carries the seeds' "error"
// and "message" members, so clients written against the seeds keep working.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`

	Error   string `json:"error"`
	Message string `json:"message"`

	DeletedAt       string            `json:"deletedAt,omitempty"`
	ExpiredAt       string            `json:"expiredAt,omitempty"`
	Reason          string            `json:"reason,omitempty"`
	Alternative     string            `json:"alternative,omitempty"`
	Suggestion      string            `json:"suggestion,omitempty"`
	State           gone.State        `json:"state,omitempty"`
	MovedTo         string            `json:"movedTo,omitempty"`
	RestorableUntil string            `json:"restorableUntil,omitempty"`
	RetryAfter      int               `json:"retryAfter,omitempty"`
	AvailableAt     string            `json:"availableAt,omitempty"`
	Errors          map[string]string `json:"errors,omitempty"`
	RequestID       string            `json:"requestId,omitempty"`
	// TokenState says why a bearer token was refused: revoked, expired
	// or unknown; RevokedAt (or ExpiredAt) says since when.
	TokenState gone.TokenState `json:"tokenState,omitempty"`
	RevokedAt  string          `json:"revokedAt,omitempty"`
}

// problemBase prefixes problem type names. The server documents each type
// at GET /problems/{name}, so a relative type URI (RFC 9457 §3.1.1)
// resolves to a page that explains it.
const problemBase = "/problems/"

// codeStatus is the one table from error code to HTTP status.
var codeStatus = map[string]int{
	gone.EINVALID:      http.StatusBadRequest,
	gone.EUNAUTHORIZED: http.StatusUnauthorized,
	gone.EFORBIDDEN:    http.StatusForbidden,
	gone.ENOTFOUND:     http.StatusNotFound,
	gone.ECONFLICT:     http.StatusConflict,
	gone.EGONE:         http.StatusGone,
	gone.EPRECONDITION: http.StatusPreconditionFailed,
	gone.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	gone.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	gone.EUNAVAILABLE:  http.StatusServiceUnavailable,
	gone.ETOOMANY:      http.StatusTooManyRequests,
	gone.EINTERNAL:     http.StatusInternalServerError,
}

// problemTypes names each status's problem type.
var problemTypes = map[int]string{
	http.StatusBadRequest:                  "invalid",
	http.StatusUnauthorized:                "unauthorized",
	http.StatusForbidden:                   "forbidden",
	http.StatusNotFound:                    "not-found",
	http.StatusMethodNotAllowed:            "method-not-allowed",
	http.StatusConflict:                    "conflict",
	http.StatusGone:                        "gone",
	http.StatusPreconditionFailed:          "precondition-failed",
	http.StatusRequestEntityTooLarge:       "too-large",
	http.StatusRequestURITooLong:           "uri-too-long",
	http.StatusRequestHeaderFieldsTooLarge: "headers-too-large",
	http.StatusUnsupportedMediaType:        "unsupported-media-type",
	http.StatusTooManyRequests:             "too-many-requests",
	http.StatusInternalServerError:         "internal",
	http.StatusServiceUnavailable:          "unavailable",
}

// newProblem returns a problem for status with the given detail, in lang.
func newProblem(r *http.Request, lng string, status int, detail string) *Problem {
	return problemAt(r.URL.Path, lng, status, detail)
}

// problemAt returns a problem about instance (a request path).
func problemAt(instance, lng string, status int, detail string) *Problem {
	title := http.StatusText(status)
	switch status {
	case http.StatusNotFound:
		title = text(lng, msgNotFound)
	case http.StatusGone:
		title = text(lng, msgGone)
	case http.StatusServiceUnavailable:
		title = text(lng, msgUnavailable)
	}
	return &Problem{
		Type: problemBase + problemTypes[status], Title: title, Status: status,
		Detail: detail, Instance: instance, Error: title, Message: detail,
	}
}

// writeProblem sends p as application/problem+json. Headers specific to the
// problem (Cache-Control, Retry-After, …) must be set before the call.
func writeProblem(w http.ResponseWriter, lng string, p *Problem) {
	b := EncodeProblem(w.Header(), lng, p)
	w.WriteHeader(p.Status)
	w.Write(b)
}

// EncodeProblem returns p as an application/problem+json body and sets the
// headers that go with it in h (Content-Type, Content-Language, Vary,
// Content-Length, and Cache-Control: no-store unless already set).
func EncodeProblem(h http.Header, lng string, p *Problem) []byte {
	// Canonical keys and shared values set directly: no key
	// canonicalization and no slice per header (see hdr.go).
	h["Content-Type"] = hdrProblemJSON
	h["Content-Language"] = langValue(lng)
	h["Vary"] = appendHeader(h["Vary"], hdrAcceptLanguage)
	if h.Get("Cache-Control") == "" {
		h["Cache-Control"] = hdrNoStore
	}
	var b []byte
	if p.Errors == nil {
		b = appendProblem(make([]byte, 0, problemSize(p)), p)
	} else {
		// A Problem is strings and numbers: it always marshals.
		b, _ = json.Marshal(p)
	}
	b = append(b, '\n')
	h["Content-Length"] = contentLength(len(b))
	return b
}

// problemSize is a guess at p's marshalled size (its strings, a few
// escapes, the member names), so appendProblem rarely grows its buffer.
func problemSize(p *Problem) int {
	return 160 + len(p.Type) + 2*(len(p.Title)+len(p.Detail)) + len(p.Instance) +
		len(p.DeletedAt) + len(p.ExpiredAt) + len(p.Reason) + len(p.Alternative) +
		len(p.Suggestion) + len(p.MovedTo) + len(p.RestorableUntil) + len(p.AvailableAt) + len(p.RequestID)
}

// writeError maps err to its status in the one table and sends a problem.
// Unknown errors become "Internal error." and are logged with the request
// id; their cause never reaches the caller.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	s.writeErrorWith(w, r, err, nil)
}

// writeErrorWith is writeError with a last edit of the problem, for
// members only the caller knows.
func (s *server) writeErrorWith(w http.ResponseWriter, r *http.Request, err error, edit func(*Problem)) {
	lng := lang(r)
	p := s.problemOf(r, lng, err)
	switch p.Status {
	case http.StatusPreconditionFailed:
		// The current ETag, so the caller can read again and retry.
		var e *gone.Error
		if errors.As(err, &e) && e.Record != nil {
			w.Header().Set("ETag", e.Record.ETag())
		}
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="gone"`)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", strconv.Itoa(p.RetryAfter))
	}
	if edit != nil {
		edit(p)
	}
	writeProblem(w, lng, p)
}

// problemOf is the problem for err, whether it answers a request
// (writeError) or one row of a batch. Unknown errors become "Internal
// error." and are logged with the request id, a store outage (503) with
// its cause.
func (s *server) problemOf(r *http.Request, lng string, err error) *Problem {
	code := gone.ErrorCode(err)
	status, ok := codeStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	msg := gone.ErrorMessage(err)
	switch status {
	case http.StatusInternalServerError:
		msg = "Internal error."
		s.log.ErrorContext(r.Context(), "internal error", "err", err, "request_id", requestID(r.Context()))
	case http.StatusServiceUnavailable:
		// The caller is told to retry; the operator needs the cause.
		s.log.WarnContext(r.Context(), "store unavailable; answering 503", "err", err, "request_id", requestID(r.Context()))
	}
	p := newProblem(r, lng, status, msg)
	if status == http.StatusInternalServerError {
		p.RequestID = requestID(r.Context())
	}
	var e *gone.Error
	if errors.As(err, &e) {
		p.Errors = e.Fields
		if e.Record != nil {
			s.addFacts(p, e.Record, lng)
		}
	}
	if status == http.StatusServiceUnavailable {
		p.RetryAfter = int(gone.UndecidableRetry / time.Second)
	}
	return p
}

// addFacts adds a record's lifecycle facts to a conflict or gone problem,
// so a refused write says which tombstone refused it. The service leaves
// the record out of the refusal of a caller whose read of it would be a
// 404 (gone.Service's concealedRefusal), so what is here that caller may
// read.
func (s *server) addFacts(p *Problem, rec *gone.Record, lng string) {
	now := s.svc.Now()
	p.State = rec.State(now)
	switch p.State {
	case gone.StateGone, gone.StateDeleted:
		p.DeletedAt = stamp(rec.DeletedAt)
		p.RestorableUntil = stamp(rec.RestorableUntil)
	case gone.StateExpired:
		p.ExpiredAt = stamp(rec.ExpiresAt)
	case gone.StateMoved:
		p.MovedTo = s.resourcePath(rec.Collection, rec.MovedTo)
	}
	if rec.Reason != "" {
		p.Reason = s.svc.Config.ReasonText(rec.Reason, lng)
	}
	p.Alternative = rec.Alternative
}

// stamp formats a time as RFC 3339 in UTC, "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
