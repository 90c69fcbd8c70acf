package proxy

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// DefaultBodyIdleTimeout is how long the proxy waits for the next bytes
// of a request body before it gives up on the request (408): a client that
// sends a body a byte a minute would otherwise hold a connection to gone
// and one to the upstream for as long as it likes.
const DefaultBodyIdleTimeout = 30 * time.Second

// errSlowBody marks a request body whose client went quiet for longer than
// the idle timeout.
var errSlowBody = errors.New("the request body stalled")

// idleBody bounds the wait for each read of a request body by moving the
// connection's read deadline before each read, as nginx's
// client_body_timeout does: a slow but steady upload is fine, a stalled
// one ends.
type idleBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	idle time.Duration
	// done stops deadline changes once the body is read or the request
	// is over: the connection then belongs to the server again.
	done atomic.Bool
}

// withIdleBody returns r with its body wrapped, and a func to call when
// the request is over.
func withIdleBody(w http.ResponseWriter, r *http.Request, idle time.Duration) (*http.Request, func()) {
	if idle <= 0 || r.Body == nil || r.Body == http.NoBody {
		return r, func() {}
	}
	b := &idleBody{ReadCloser: r.Body, rc: http.NewResponseController(w), idle: idle}
	r2 := new(http.Request)
	*r2 = *r
	r2.Body = b
	return r2, b.finish
}

func (b *idleBody) Read(p []byte) (int, error) {
	if b.done.Load() {
		return b.ReadCloser.Read(p)
	}
	// An error here (a writer without deadlines) leaves the read unbounded,
	// as it was.
	_ = b.rc.SetReadDeadline(time.Now().Add(b.idle))
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF:
		b.finish()
	case err != nil && isTimeout(err):
		return n, fmt.Errorf("%w: no bytes for %s: %w", errSlowBody, b.idle, err)
	}
	return n, err
}

// finish clears the deadline: once the body is read, the server reads
// the connection in the background to notice a client that goes away,
// and a deadline left behind would end the request there.
func (b *idleBody) finish() {
	if b.done.CompareAndSwap(false, true) {
		_ = b.rc.SetReadDeadline(time.Time{})
	}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
