package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// FeedSettings tune the change feed (GET /api/changes as Server-Sent
// Events). Zero fields take the defaults.
type FeedSettings struct {
	// Poll is how often each instance asks the store for new events while
	// a stream waits (default 200ms): the delay a change made on another
	// instance may take to reach this one's watchers.
	Poll time.Duration
	// Keepalive is how often an idle stream sends a comment (default 15s),
	// so proxies keep it open and a dead reader is found.
	Keepalive time.Duration
	// WriteTimeout bounds one write to a stream (default 10s): a reader
	// that stops reading is dropped once the kernel's buffers fill and a
	// write stalls that long.
	WriteTimeout time.Duration
	// MaxStreams bounds the streams one instance holds open (default
	// 1000): each costs a goroutine, a connection and one page of events,
	// so the bound is the feed's whole memory. Past it a stream request
	// is a 503 with Retry-After; JSON pages still answer.
	MaxStreams int
}

func (t FeedSettings) withDefaults() FeedSettings {
	if t.Poll <= 0 {
		t.Poll = 200 * time.Millisecond
	}
	if t.Keepalive <= 0 {
		t.Keepalive = 15 * time.Second
	}
	if t.WriteTimeout <= 0 {
		t.WriteTimeout = 10 * time.Second
	}
	if t.MaxStreams <= 0 {
		t.MaxStreams = 1000
	}
	return t
}

// WithFeed sets the change feed's timings and its bound on open streams.
func WithFeed(t FeedSettings) Option {
	return func(s *server) { s.feed = t }
}

// WithShutdown ends open change streams when stop is closed. http.Server's
// Shutdown waits for handlers to return, and a stream never would: give it
// a channel closed from RegisterOnShutdown.
func WithShutdown(stop <-chan struct{}) Option {
	return func(s *server) { s.stop = stop }
}

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
		Reason: s.svc.Config.ReasonText(c.Reason, lng), MovedTo: c.MovedTo,
		ExpiresAt: stampOrEmpty(c.ExpiresAt), UnavailableUntil: stampOrEmpty(c.UnavailableUntil), Actor: c.Actor,
	}
	if c.MovedTo != "" {
		v.Location = s.resourcePath(c.Collection, c.MovedTo)
	}
	if p, ok := s.svc.Config.Policy(c.Collection); ok {
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
	events, err := s.svc.Store.Audit(r.Context(), gone.AuditQuery{Collection: q.collection, AfterSeq: since, Limit: q.limit})
	if err != nil {
		return nil, since, false, &gone.Error{Code: gone.EUNAVAILABLE, Message: "The audit log did not answer.", Err: err}
	}
	caller, lng := callerFrom(r.Context()), lang(r)
	last = since
	for _, e := range events {
		last = e.Seq
		if c, ok := s.svc.Config.ChangeFor(e, caller); ok {
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
		events, err := s.svc.Store.Audit(r.Context(), gone.AuditQuery{AfterSeq: seq, Limit: pollPage})
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
		localized(w, lang(r))
		writeJSON(w, http.StatusOK, page{Changes: nonNil(out), Last: last, More: more})
	})
}

// streamChanges sends changes as Server-Sent Events until the caller goes
// away, stops reading for longer than WriteTimeout, or the server shuts
// down.
func (s *server) streamChanges(w http.ResponseWriter, r *http.Request, q changesQuery) {
	if n := s.streams.Add(1); n > int64(s.feed.MaxStreams) {
		s.streams.Add(-1)
		s.writeError(w, r, gone.Errorf(gone.EUNAVAILABLE, "This server holds as many change streams as it may; retry later, or read pages without Accept: text/event-stream."))
		return
	}
	defer s.streams.Add(-1)
	rc := http.NewResponseController(w)
	// The server's ReadTimeout would end the stream (and cancel its
	// context) once it passed; a stream reads nothing after its headers.
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	localized(w, lang(r))
	w.WriteHeader(http.StatusOK)
	send := func(b []byte) bool {
		// Each write gets its own deadline: the server's WriteTimeout is
		// counted from the request's start, which a stream outlives.
		_ = rc.SetWriteDeadline(time.Now().Add(s.feed.WriteTimeout))
		if _, err := w.Write(b); err != nil {
			return false
		}
		// Without a Flusher the bytes still go, only later.
		err := rc.Flush()
		return err == nil || errors.Is(err, http.ErrNotSupported)
	}
	// The first block says where the stream starts (an id with no data
	// dispatches no event), so a reader that asked for since=now and
	// reconnects before any change resumes from there, not from a later
	// "now".
	if !send(fmt.Appendf(nil, "retry: 2000\nid: %d\n\n", q.since)) {
		return
	}
	keepalive := time.NewTicker(s.feed.Keepalive)
	defer keepalive.Stop()
	q.limit = changePage
	cursor := q.since
	var buf bytes.Buffer
	for {
		out, last, more, err := s.readChanges(r, q, cursor)
		if err != nil {
			// The reader reconnects (retry above) and resumes from its
			// last id; say why first.
			s.log.WarnContext(r.Context(), "change feed: reading the audit log failed", "err", err,
				"request_id", requestID(r.Context()))
			send([]byte(": the audit log did not answer; reconnect\n\n"))
			return
		}
		buf.Reset()
		for _, c := range out {
			data, _ := json.Marshal(c)
			fmt.Fprintf(&buf, "id: %d\nevent: %s\ndata: %s\n\n", c.Seq, c.Type, data)
		}
		if buf.Len() > 0 && !send(buf.Bytes()) {
			return
		}
		cursor = last
		if more {
			continue
		}
		for waiting := true; waiting; {
			wake, done := s.hub.wait(cursor)
			select {
			case <-wake:
				waiting = false
			case <-keepalive.C:
				if !send([]byte(": keepalive\n\n")) {
					done()
					return
				}
			case <-r.Context().Done():
				done()
				return
			case <-s.stop:
				done()
				return
			}
			done()
		}
	}
}
