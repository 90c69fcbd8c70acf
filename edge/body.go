package edge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// DefaultBodyIdleTimeout is how long a front door waits for the next bytes
// of a request body before it gives up on the request (408): a client that
// sends a body a byte a minute would otherwise hold a connection to gone
// (and, through the proxy, one to the upstream) for as long as it likes.
const DefaultBodyIdleTimeout = 30 * time.Second

// ErrBodyStalled marks (errors.Is) the error of a request body read whose
// client went quiet for longer than Config.BodyIdleTimeout: the door
// answers 408, as BodyStalled also tells.
var ErrBodyStalled = errors.New("the request body stalled")

// idleBody bounds the wait for each read of a request body by moving the
// connection's read deadline before each read, as nginx's
// client_body_timeout does: a slow but steady upload is fine, a stalled
// one ends.
type idleBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	idle time.Duration
	// done stops deadline changes once the body is read or the handler
	// returned.
	done atomic.Bool
	// malformed is set when the client's body could not be read for a
	// reason other than time (a bad chunked encoding): the client's
	// fault, answered 400, not the upstream's.
	malformed atomic.Bool
	// deadline is the read deadline last set (Unix nanoseconds). When it
	// passes, the server cancels the request's context from inside the
	// read, so the transport may report the cancellation before this
	// body's error: BodyStalled tells the two apart by the clock.
	deadline atomic.Int64
}

// BodyStalled reports whether r's body is unfinished and its read
// deadline (Config.BodyIdleTimeout) has passed: the answer is 408. A
// handler that got a read error, or whose context was cancelled, asks it
// to tell a stalled client from anything else.
func BodyStalled(r *http.Request) bool {
	b, ok := r.Context().Value(idleBodyKey{}).(*idleBody)
	return ok && !b.done.Load() && time.Now().UnixNano() >= b.deadline.Load()
}

type idleBodyKey struct{}

// BodyMalformed reports whether r's body failed to read for a reason of
// the client's making (a bad chunked encoding): the answer is 400.
func BodyMalformed(r *http.Request) bool {
	b, ok := r.Context().Value(idleBodyKey{}).(*idleBody)
	return ok && b.malformed.Load()
}

func (b *idleBody) setDeadline() {
	d := time.Now().Add(b.idle)
	b.deadline.Store(d.UnixNano())
	// An error here (a writer without deadlines) leaves the read
	// unbounded, as it was.
	_ = b.rc.SetReadDeadline(d)
}

// withIdleBody returns r with its body wrapped, and a func to call when
// the handler returns.
func withIdleBody(w http.ResponseWriter, r *http.Request, idle time.Duration) (*http.Request, func()) {
	if idle <= 0 || r.Body == nil || r.Body == http.NoBody {
		return r, func() {}
	}
	b := &idleBody{ReadCloser: r.Body, rc: http.NewResponseController(w), idle: idle}
	// A first deadline now: a body nobody reads (a rule answered) is
	// still read by the server after the handler, to reuse the
	// connection, and that read must be bounded too.
	b.setDeadline()
	// In the context too: ReverseProxy hands its error handler the
	// outgoing request, whose body is wrapped again.
	r2 := r.WithContext(context.WithValue(r.Context(), idleBodyKey{}, b))
	r2.Body = b
	return r2, b.handlerDone
}

func (b *idleBody) Read(p []byte) (int, error) {
	if b.done.Load() {
		return b.ReadCloser.Read(p)
	}
	b.setDeadline()
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF:
		// Once the body is read, the server reads the connection in the
		// background to notice a client that goes away; a deadline left
		// behind would end the request there.
		if b.done.CompareAndSwap(false, true) {
			_ = b.rc.SetReadDeadline(time.Time{})
		}
	case err != nil && isTimeout(err):
		return n, fmt.Errorf("%w: no bytes for %s: %w", ErrBodyStalled, b.idle, err)
	case err != nil:
		b.malformed.Store(true)
	}
	return n, err
}

// handlerDone stops deadline changes: the connection belongs to the
// server again, which discards an unread body under the deadline last set
// and then sets its own for the next request.
func (b *idleBody) handlerDone() { b.done.Store(true) }

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// idleBodies bounds the wait for each read of a request body by idle
// (Config.BodyIdleTimeout), for every request with a body; 0 or less
// leaves bodies unbounded.
func idleBodies(next http.Handler, idle time.Duration) http.Handler {
	if idle <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, done := withIdleBody(w, r, idle)
		defer done()
		next.ServeHTTP(w, r)
	})
}
