package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gonehttp/gone"
)

// answerStatus is the one table from a decision's answer to its status. To
// know when gone sends 410, read gone.Decide and this file.
var answerStatus = map[gone.Answer]int{
	gone.AnswerOK:           http.StatusOK,
	gone.AnswerNotFound:     http.StatusNotFound,
	gone.AnswerGone:         http.StatusGone,
	gone.AnswerMoved:        http.StatusPermanentRedirect,
	gone.AnswerUnavailable:  http.StatusServiceUnavailable,
	gone.AnswerUnauthorized: http.StatusUnauthorized,
}

// writeDecision writes the answer to a read of one id: status, headers and
// body, all from the decision.
func (s *server) writeDecision(w http.ResponseWriter, r *http.Request, p gone.Policy, id string, d gone.Decision) {
	h := w.Header()
	switch d.Answer {
	case gone.AnswerOK:
		s.writeRepresentation(w, r, d)
		return
	case gone.AnswerMoved:
		h.Set("Location", s.resourcePath(p.Collection, d.Location))
		h.Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusPermanentRedirect)
		return
	}

	lng := lang(r)
	prob := DecisionProblem(s.svc.Config, p, lng, r.URL.Path, id, d, s.svc.Now(), s.maxRetryAfter, h)
	writeProblem(w, lng, prob)
}

// DecisionProblem returns the problem for a decision that answers 404,
// 410, 503 or 401, in lng, and sets the headers that go with it in h
// (Cache-Control, Link, Retry-After capped at maxRetry, WWW-Authenticate).
// id fills the messages' {id}; instance is the request path. The HTTP API
// and the proxy both answer with it, so a retired path and a retired id
// read alike.
func DecisionProblem(cfg *gone.Config, p gone.Policy, lng, instance, id string, d gone.Decision, now time.Time, maxRetry time.Duration, h http.Header) *Problem {
	texts := p.TextsFor(lng)
	status := answerStatus[d.Answer]
	var prob *Problem
	switch d.Answer {
	case gone.AnswerGone:
		h["Cache-Control"] = maxAgeValue(d.MaxAge)
		if d.Expired {
			prob = problemAt(instance, lng, status, texts.Expand(texts.Expired, id, d.RetiredAt))
			prob.ExpiredAt = stamp(d.RetiredAt)
		} else {
			prob = problemAt(instance, lng, status, texts.Expand(texts.Deleted, id, d.RetiredAt))
			prob.DeletedAt = stamp(d.RetiredAt)
		}
		if d.Reason != "" {
			prob.Reason = cfg.ReasonText(d.Reason, lng)
		}
		prob.Alternative = d.Alternative
		if d.Alternative != "" {
			h.Set("Link", "<"+gone.LinkTarget(d.Alternative)+`>; rel="alternate"`)
		}
	case gone.AnswerUnavailable:
		secs := cappedRetryAfter(d.RetryAfter, now, maxRetry)
		h.Set("Cache-Control", "no-store")
		h.Set("Retry-After", strconv.Itoa(secs))
		msg := msgUndecidable
		if d.State == gone.StateUnavailable {
			msg = msgUnavailableRes
		}
		prob = problemAt(instance, lng, status, text(lng, msg))
		prob.RetryAfter = secs
		if d.State == gone.StateUnavailable {
			prob.AvailableAt = stamp(d.RetryAfter)
		}
	case gone.AnswerUnauthorized:
		h.Set("WWW-Authenticate", `Bearer realm="gone"`)
		prob = problemAt(instance, lng, status, text(lng, msgUnauthorized))
	default:
		// Not found: never-existed, soft-deleted and concealed ids all
		// come through here with the same inputs, so their bytes are
		// identical.
		h["Cache-Control"] = maxAgeValue(d.MaxAge)
		prob = problemAt(instance, lng, http.StatusNotFound, texts.Expand(texts.NotFound, id, time.Time{}))
	}
	return prob
}

// writeRepresentation answers 200 (or 304) with a live resource.
func (s *server) writeRepresentation(w http.ResponseWriter, r *http.Request, d gone.Decision) {
	rec := d.Record
	h := w.Header()
	// One allocation for both values (the ETag of an early version is
	// shared, see etagValue).
	v := new([2]string)
	v[0], v[1] = etagValue(rec.Version), rec.UpdatedAt.UTC().Format(http.TimeFormat)
	h["Etag"], h["Last-Modified"] = v[0:1:1], v[1:2:2]
	// A live resource may be deleted at any moment: caches must revalidate.
	h["Cache-Control"] = hdrNoCache
	if !d.Sunset.IsZero() {
		h.Set("Sunset", d.Sunset.UTC().Format(http.TimeFormat))
		link := d.Alternative
		if link == "" {
			link = s.prefix + "/" + rec.Collection
		}
		h.Set("Link", "<"+gone.LinkTarget(link)+`>; rel="sunset"`)
	}
	if !d.Deprecation.IsZero() {
		h.Set("Deprecation", "@"+strconv.FormatInt(d.Deprecation.Unix(), 10))
	}
	if notModified(r, rec) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = hdrJSON
	h["Content-Length"] = contentLength(len(rec.Data) + 1)
	w.WriteHeader(http.StatusOK)
	w.Write(rec.Data)
	w.Write([]byte{'\n'})
}

// maxAge is a Cache-Control value for a lifetime.
func maxAge(d time.Duration) string {
	return "max-age=" + strconv.Itoa(int(d/time.Second))
}
