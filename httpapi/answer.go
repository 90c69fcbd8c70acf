package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

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

	lng := answer.Language(r)
	prob := answer.ForDecision(s.svc.Config(), p, lng, r.URL.Path, id, d, s.svc.Now(), s.maxRetryAfter, h)
	prob.Rebase(s.problemBase)
	answer.Write(w, lng, prob)
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
	h["Cache-Control"] = answer.NoCache
	if !d.Sunset.IsZero() {
		h.Set("Sunset", d.Sunset.UTC().Format(http.TimeFormat))
		link := d.Alternative
		if link == "" {
			link = s.prefix + "/" + rec.Collection
		}
		h.Set("Link", answer.LinkValue(link, "sunset"))
	}
	if !d.Deprecation.IsZero() {
		h.Set("Deprecation", "@"+strconv.FormatInt(d.Deprecation.Unix(), 10))
	}
	if notModified(r, rec) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = hdrJSON
	h["Content-Length"] = answer.ContentLength(len(rec.Data) + 1)
	w.WriteHeader(http.StatusOK)
	w.Write(rec.Data)
	w.Write([]byte{'\n'})
}
