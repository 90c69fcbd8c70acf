package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// newProblem returns a problem about r's path.
func (s *server) newProblem(r *http.Request, lng string, status int, detail string) *answer.Problem {
	p := answer.New(r.URL.Path, lng, status, detail)
	p.Rebase(s.problemBase)
	return p
}

// writeError maps err to its status in the one table and sends a problem.
// Unknown errors become "Internal error." and are logged with the request
// id; their cause never reaches the caller.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	s.writeErrorWith(w, r, err, nil)
}

// writeErrorWith is writeError with a last edit of the problem, for
// members only the caller knows.
func (s *server) writeErrorWith(w http.ResponseWriter, r *http.Request, err error, edit func(*answer.Problem)) {
	lng := answer.Language(r)
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
	case http.StatusRequestTimeout:
		// The rest of the body may still come: an HTTP/1 connection
		// cannot be read past it. (An HTTP/2 stream ends alone: there,
		// Connection: close would end the client's other streams too.)
		if r.ProtoMajor == 1 {
			w.Header().Set("Connection", "close")
		}
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", strconv.Itoa(p.RetryAfter))
	}
	if edit != nil {
		edit(p)
	}
	answer.Write(w, lng, p)
}

// problemOf is the problem for err, whether it answers a request
// (writeError) or one row of a batch. Unknown errors become "Internal
// error." and are logged with the request id, a store outage (503) with
// its cause.
func (s *server) problemOf(r *http.Request, lng string, err error) *answer.Problem {
	status := answer.StatusOf(gone.ErrorCode(err))
	msg := gone.ErrorMessage(err)
	switch status {
	case http.StatusInternalServerError:
		msg = answer.Text(lng, answer.MsgInternal)
		s.log.ErrorContext(r.Context(), "internal error", "err", err, "request_id", requestID(r.Context()))
	case http.StatusServiceUnavailable:
		// The caller is told to retry; the operator needs the cause.
		s.log.WarnContext(r.Context(), "store unavailable; answering 503", "err", err, "request_id", requestID(r.Context()))
	}
	p := s.newProblem(r, lng, status, msg)
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
func (s *server) addFacts(p *answer.Problem, rec *gone.Record, lng string) {
	now := s.svc.Now()
	p.State = rec.State(now)
	switch p.State {
	case gone.StateGone, gone.StateDeleted:
		p.DeletedAt = answer.Stamp(rec.DeletedAt)
		p.RestorableUntil = answer.Stamp(rec.RestorableUntil)
	case gone.StateExpired:
		p.ExpiredAt = answer.Stamp(rec.ExpiresAt)
	case gone.StateMoved:
		p.MovedTo = s.resourcePath(rec.Collection, rec.MovedTo)
	}
	if rec.Reason != "" {
		p.Reason = s.svc.Config().ReasonText(rec.Reason, lng)
	}
	p.Alternative = rec.Alternative
}
