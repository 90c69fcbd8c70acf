package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// changePage bounds one read of the audit log by one stream or page.
const changePage = 100

// changeView is one change in the feed, in JSON.
type changeView struct {
	Seq        int64           `json:"seq"`
	Type       gone.ChangeType `json:"type"`
	Collection string          `json:"collection"`
	ID         string          `json:"id"`
	Path       string          `json:"path"`
	At         string          `json:"at"`
	Reason     string          `json:"reason,omitempty"`
	// Message is what a 410 for the id says now, on gone and expired.
	Message          string `json:"message,omitempty"`
	Alternative      string `json:"alternative,omitempty"`
	MovedTo          string `json:"movedTo,omitempty"`
	Location         string `json:"location,omitempty"`
	ExpiresAt        string `json:"expiresAt,omitempty"`
	UnavailableUntil string `json:"unavailableUntil,omitempty"`
	Actor            string `json:"actor,omitempty"`
}

func (s *server) changeView(c gone.Change, lng string) changeView {
	v := changeView{
		Seq: c.Seq, Type: c.Type, Collection: c.Collection, ID: c.ID,
		Path: s.resourcePath(c.Collection, c.ID), At: stampOrEmpty(c.At),
		Reason: s.svc.Config().ReasonText(c.Reason, lng), Alternative: c.Alternative, MovedTo: c.MovedTo,
		ExpiresAt: stampOrEmpty(c.ExpiresAt), UnavailableUntil: stampOrEmpty(c.UnavailableUntil), Actor: c.Actor,
	}
	if c.MovedTo != "" {
		v.Location = s.resourcePath(c.Collection, c.MovedTo)
	}
	if p, ok := s.svc.Config().Policy(c.Collection); ok {
		t := p.TextsFor(lng)
		switch c.Type {
		case gone.ChangeGone:
			v.Message = t.Expand(t.Deleted, c.ID, c.At)
		case gone.ChangeExpired:
			v.Message = t.Expand(t.Expired, c.ID, c.ExpiresAt)
		}
	}
	return v
}

func stampOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// changesQuery is what a feed request asks for.
type changesQuery struct {
	since      int64
	fromNow    bool // since=now: start at the end of the log
	collection string
	limit      int
	stream     bool
}

func (s *server) parseChanges(r *http.Request) (changesQuery, error) {
	v := r.URL.Query()
	q := changesQuery{limit: changePage, collection: v.Get("collection"),
		// HEAD never streams: it would hold a connection open to send
		// no body.
		stream: r.Method != http.MethodHead && strings.Contains(r.Header.Get("Accept"), "text/event-stream")}
	since := v.Get("since")
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		// An EventSource that reconnects sends the last id it saw; it
		// wins over the since of the URL it first opened.
		since = id
	}
	if since == "now" {
		q.fromNow = true
	} else if since != "" {
		n, err := strconv.ParseInt(since, 10, 64)
		if err != nil || n < 0 {
			return q, &gone.Error{Code: gone.EINVALID, Message: "since (or Last-Event-ID) must be a sequence number from this feed, or now.",
				Fields: map[string]string{"since": "must be a non-negative integer or now"}}
		}
		q.since = n
	}
	if raw := v.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 1000 {
			return q, &gone.Error{Code: gone.EINVALID, Message: "limit must be between 1 and 1000.",
				Fields: map[string]string{"limit": "must be between 1 and 1000"}}
		}
		q.limit = n
	}
	if q.collection != "" {
		p, err := s.svc.Policy(q.collection)
		if err != nil {
			return q, err
		}
		caller := callerFrom(r.Context())
		if !caller.Can(gone.ScopeRead, q.collection) {
			return q, gone.Errorf(gone.EFORBIDDEN, "This token may not use the collection %q.", q.collection)
		}
		if p.Disclosure == gone.DiscloseConceal && !caller.Can(gone.ScopeAdmin, q.collection) {
			return q, gone.Errorf(gone.EFORBIDDEN, "The collection %s conceals its deletions; its changes are shown to admins only.", q.collection)
		}
	}
	return q, nil
}

// readChanges reads one page of the log after since and keeps what caller
// may see. last is how far the page read: the sequence to continue after,
// even when every event in it was hidden.
func (s *server) readChanges(r *http.Request, q changesQuery, since int64) (out []changeView, last int64, more bool, err error) {
	// The hub's head is read before the store: every event up to it is
	// committed, so a short page that ends below it has seen them all.
	head := s.hub.headSeq()
	events, err := s.svc.Audit(r.Context(), gone.AuditQuery{Collection: q.collection, AfterSeq: since, Limit: q.limit})
	if err != nil {
		return nil, since, false, &gone.Error{Code: gone.EUNAVAILABLE, Message: "The audit log did not answer.", Err: err}
	}
	caller, lng := callerFrom(r.Context()), answer.Language(r)
	last = since
	for _, e := range events {
		last = e.Seq
		if c, ok := s.svc.Config().ChangeFor(e, caller); ok {
			out = append(out, s.changeView(c, lng))
		}
	}
	if len(events) > 0 {
		s.hub.saw(events[len(events)-1].Seq)
	}
	more = len(events) == q.limit
	if !more && head > last {
		last = head
	}
	return out, last, more, nil
}

// logEnd returns the last sequence in the audit log, paging from the
// highest one this instance has seen (once per instance it may read the
// whole log; after that, a page).
func (s *server) logEnd(r *http.Request) (int64, error) {
	seq := s.hub.headSeq()
	for {
		events, err := s.svc.Audit(r.Context(), gone.AuditQuery{AfterSeq: seq, Limit: pollPage})
		if err != nil {
			return 0, &gone.Error{Code: gone.EUNAVAILABLE, Message: "The audit log did not answer.", Err: err}
		}
		if len(events) > 0 {
			seq = events[len(events)-1].Seq
		}
		if len(events) < pollPage {
			s.hub.saw(seq)
			return seq, nil
		}
	}
}

// handleChanges is the change feed: one event per lifecycle change, in
// order, after since (or Last-Event-ID), as Server-Sent Events for
// Accept: text/event-stream and as a JSON page otherwise.
func (s *server) handleChanges() http.Handler {
	type page struct {
		Changes []changeView `json:"changes"`
		// Last is the sequence to continue after (?since=last).
		Last int64 `json:"last"`
		More bool  `json:"more"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := s.parseChanges(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if q.fromNow {
			if q.since, err = s.logEnd(r); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		if q.stream {
			s.streamChanges(w, r, q)
			return
		}
		out, last, more, err := s.readChanges(r, q, q.since)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		localized(w, answer.Language(r))
		writeJSON(w, http.StatusOK, page{Changes: nonNil(out), Last: last, More: more})
	})
}
