package answer

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gonehttp/gone"
)

// DefaultMaxRetryAfter caps the Retry-After of a 503 unless a front door
// is told otherwise.
//
// Why a cap: a resource withheld until a date years away would otherwise
// say "Retry-After: 98067306". Common HTTP clients turn that delay into a
// timer, and JavaScript timers (Node's setTimeout, which got, ky and
// axios-retry use) hold at most 2^31-1 ms, about 24.8 days: a longer delay
// overflows and fires at once, so those clients retry in a tight loop. An
// hour is long enough not to hammer the server and short enough for any
// client; the exact end is in the problem body as availableAt.
const DefaultMaxRetryAfter = time.Hour

// CappedRetryAfter is the Retry-After delay until at, in whole seconds: at
// least 1, at most max.
func CappedRetryAfter(at, now time.Time, max time.Duration) int {
	secs := math.Ceil(at.Sub(now).Seconds())
	limit := math.Max(1, math.Floor(max.Seconds()))
	return int(math.Max(1, math.Min(secs, limit)))
}

// ForDecision returns the problem for a decision that answers 404, 410,
// 503 or 401, in lng, and sets the headers that go with it in h
// (Cache-Control, Link, Retry-After capped at maxRetry, WWW-Authenticate).
// id fills the messages' {id}; instance is the request path. Every front
// door answers a decision with it, so a retired path and a retired id read
// alike.
func ForDecision(cfg *gone.Config, p gone.Policy, lng, instance, id string, d gone.Decision, now time.Time, maxRetry time.Duration, h http.Header) *Problem {
	texts := p.TextsFor(lng)
	status := StatusOfAnswer(d.Answer)
	var prob *Problem
	switch d.Answer {
	case gone.AnswerGone:
		h["Cache-Control"] = MaxAge(d.MaxAge)
		if d.Expired {
			prob = New(instance, lng, status, texts.Expand(texts.Expired, id, d.RetiredAt))
			prob.ExpiredAt = Stamp(d.RetiredAt)
		} else {
			prob = New(instance, lng, status, texts.Expand(texts.Deleted, id, d.RetiredAt))
			prob.DeletedAt = Stamp(d.RetiredAt)
		}
		if d.Reason != "" {
			prob.Reason = cfg.ReasonText(d.Reason, lng)
		}
		prob.Alternative = d.Alternative
		if d.Alternative != "" {
			h.Set("Link", LinkValue(d.Alternative, "alternate"))
		}
	case gone.AnswerUnavailable:
		secs := CappedRetryAfter(d.RetryAfter, now, maxRetry)
		h["Cache-Control"] = NoStore
		h.Set("Retry-After", strconv.Itoa(secs))
		msg := MsgUndecidable
		if d.State == gone.StateUnavailable {
			msg = MsgUnavailableRes
		}
		prob = New(instance, lng, status, Text(lng, msg))
		prob.RetryAfter = secs
		if d.State == gone.StateUnavailable {
			prob.AvailableAt = Stamp(d.RetryAfter)
		}
	case gone.AnswerUnauthorized:
		h.Set("WWW-Authenticate", `Bearer realm="gone"`)
		prob = New(instance, lng, status, Text(lng, MsgUnauthorized))
	default:
		// Not found: never-existed, soft-deleted and concealed ids all
		// come through here with the same inputs, so their bytes are
		// identical.
		h["Cache-Control"] = MaxAge(d.MaxAge)
		prob = New(instance, lng, http.StatusNotFound, texts.Expand(texts.NotFound, id, time.Time{}))
	}
	return prob
}

// LinkValue is an RFC 8288 Link header value for target with relation rel.
// Characters that would end the URI reference or start another link (<, >,
// ", comma, semicolon, space and controls) are percent-encoded, so a
// target can never add a link or a parameter of its own.
func LinkValue(target, rel string) string {
	return "<" + linkSafe(target) + `>; rel="` + rel + `"`
}

func linkSafe(s string) string {
	const hex = "0123456789ABCDEF"
	clean := true
	for i := 0; i < len(s); i++ {
		if unsafeInLink(s[i]) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); i++ {
		if c := s[i]; unsafeInLink(c) {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

func unsafeInLink(c byte) bool {
	return c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' || c == '\\'
}
