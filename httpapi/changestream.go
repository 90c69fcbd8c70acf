package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
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
	// MaxStreamsPerToken bounds the streams one token (one caller name)
	// holds on one instance (default 10), so no token takes every slot of
	// MaxStreams. Past it a stream request is a 429 with Retry-After.
	MaxStreamsPerToken int
	// MaxLife ends a stream after this long (default 1h) with an end
	// event; the reader reconnects from its last id, and its token is
	// checked again as for any request.
	MaxLife time.Duration
	// Recheck is how often an open stream checks its token again (default
	// and at most 1 minute), besides at every keepalive: a revoked or
	// expired token's stream ends with an end event saying so.
	Recheck time.Duration
}

// maxRecheck is the longest a revoked token's stream may stay open.
const maxRecheck = time.Minute

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
	if t.MaxStreamsPerToken <= 0 {
		t.MaxStreamsPerToken = 10
	}
	if t.MaxLife <= 0 {
		t.MaxLife = time.Hour
	}
	if t.Recheck <= 0 || t.Recheck > maxRecheck {
		t.Recheck = maxRecheck
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

// isChangeStream reports whether r asks for the change feed as a stream.
func isChangeStream(r *http.Request, path string) bool {
	return r.Method == http.MethodGet && path == "/api/changes" &&
		strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// streamChanges sends changes as Server-Sent Events until the caller goes
// away, stops reading for longer than WriteTimeout, the server shuts down,
// the stream reaches MaxLife, or its token stops being valid; the last two
// end with an end event saying why.
func (s *server) streamChanges(w http.ResponseWriter, r *http.Request, q changesQuery) {
	if n := s.streams.Add(1); n > int64(s.feed.MaxStreams) {
		s.streams.Add(-1)
		s.writeError(w, r, gone.Errorf(gone.EUNAVAILABLE, "This server holds as many change streams as it may; retry later, or read pages without Accept: text/event-stream."))
		return
	}
	defer s.streams.Add(-1)
	name := callerFrom(r.Context()).Name
	if !s.tokenStreams.open(name, s.feed.MaxStreamsPerToken) {
		s.writeTooManyStreams(w, r)
		return
	}
	defer s.tokenStreams.close(name)
	rc := http.NewResponseController(w)
	// The server's ReadTimeout would end the stream (and cancel its
	// context) once it passed; a stream reads nothing after its headers.
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	localized(w, answer.Language(r))
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
	life := time.NewTimer(s.feed.MaxLife)
	defer life.Stop()
	checked := time.Now()
	// ended sends the end event when the token is no longer valid, or the
	// stream is past its life, and says whether it did.
	ended := func(recheck bool) bool {
		if recheck || time.Since(checked) >= s.feed.Recheck {
			checked = time.Now()
			if end := s.tokenEnd(r); end != nil {
				send(end.event())
				return true
			}
		}
		return false
	}
	q.limit = changePage
	cursor := q.since
	var buf bytes.Buffer
	for {
		if ended(false) {
			return
		}
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
				if ended(true) || !send([]byte(": keepalive\n\n")) {
					done()
					return
				}
			case <-life.C:
				send(streamEnd{Reason: endLifetime, Message: "This stream reached its longest life; reconnect with Last-Event-ID to go on."}.event())
				done()
				return
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
