package answer

import (
	"encoding/json"
	"net/http"
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

// Base prefixes problem type names. Every front door documents each type
// at GET {Base}{name} (Doc), so a relative type URI (RFC 9457 §3.1.1)
// resolves to a page that explains it; the proxy serves them below its
// admin prefix and rebases its types there (Rebase).
const Base = "/problems/"

// New returns a problem of status about instance (a request path), with
// detail in lng and the title the catalog gives status.
func New(instance, lng string, status int, detail string) *Problem {
	title := http.StatusText(status)
	switch status {
	case http.StatusNotFound:
		title = Text(lng, MsgNotFound)
	case http.StatusGone:
		title = Text(lng, MsgGone)
	case http.StatusServiceUnavailable:
		title = Text(lng, MsgUnavailable)
	}
	return &Problem{
		Type: Base + TypeOf(status), Title: title, Status: status,
		Detail: detail, Instance: instance, Error: title, Message: detail,
	}
}

// Rebase moves p's type below base (a front door that serves the problem
// documentation elsewhere than Base, such as the proxy's admin prefix).
func (p *Problem) Rebase(base string) {
	if base != "" && base != Base {
		p.Type = base + TypeOf(p.Status)
	}
}

// Write sends p as application/problem+json. Headers specific to the
// problem (Cache-Control, Retry-After, …) must be set before the call.
func Write(w http.ResponseWriter, lng string, p *Problem) {
	b := Encode(w.Header(), lng, p)
	w.WriteHeader(p.Status)
	w.Write(b)
}

// Encode returns p as an application/problem+json body and sets the
// headers that go with it in h (Content-Type, Content-Language, Vary,
// Content-Length, and Cache-Control: no-store unless already set).
func Encode(h http.Header, lng string, p *Problem) []byte {
	// Canonical keys and shared values set directly: no key
	// canonicalization and no slice per header (see hdr.go).
	h["Content-Type"] = hdrProblemJSON
	h["Content-Language"] = LangValue(lng)
	h["Vary"] = AppendHeader(h["Vary"], VaryAcceptLanguage)
	if h.Get("Cache-Control") == "" {
		h["Cache-Control"] = NoStore
	}
	var b []byte
	if p.Errors == nil {
		b = appendProblem(make([]byte, 0, problemSize(p)), p)
	} else {
		// A Problem is strings and numbers: it always marshals.
		b, _ = json.Marshal(p)
	}
	b = append(b, '\n')
	h["Content-Length"] = ContentLength(len(b))
	return b
}

// problemSize is a guess at p's marshalled size (its strings, a few
// escapes, the member names), so appendProblem rarely grows its buffer.
func problemSize(p *Problem) int {
	return 160 + len(p.Type) + 2*(len(p.Title)+len(p.Detail)) + len(p.Instance) +
		len(p.DeletedAt) + len(p.ExpiredAt) + len(p.Reason) + len(p.Alternative) +
		len(p.Suggestion) + len(p.MovedTo) + len(p.RestorableUntil) + len(p.AvailableAt) + len(p.RequestID)
}

// Stamp formats a time as RFC 3339 in UTC, "" for the zero time.
func Stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
