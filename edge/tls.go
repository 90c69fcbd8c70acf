package edge

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"time"
)

// handshakeTimeout bounds a client's TLS handshake.
const handshakeTimeout = 10 * time.Second

// tlsListener terminates TLS below the framing guard, which must read a
// request's plain bytes: HTTP/1.1 connections reach net/http through the
// guard (framingConn); HTTP/2 ones go to net/http's HTTP/2 server as
// *tls.Conn, which is how it recognises them (HTTP/2 frames its own
// messages and net/http refuses Transfer-Encoding in them, so there is
// nothing to smuggle).
// Handshakes run one goroutine per connection, so a slow client never
// holds up Accept.
type tlsListener struct {
	net.Listener
	cfg   *tls.Config
	ready chan net.Conn
	done  chan struct{}
	once  sync.Once
	err   error // why the accept loop ended; read after done closes
}

func newTLSListener(ln net.Listener, cfg *tls.Config) *tlsListener {
	l := &tlsListener{Listener: ln, cfg: cfg, ready: make(chan net.Conn), done: make(chan struct{})}
	go l.loop()
	return l
}

func (l *tlsListener) loop() {
	defer close(l.done)
	var backoff time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				l.err = err
				return
			}
			// Out of file descriptors and the like: wait and try again,
			// as net/http's own accept loop does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		go l.handshake(tls.Server(c, l.cfg))
	}
}

func (l *tlsListener) handshake(c *tls.Conn) {
	c.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := c.Handshake(); err != nil {
		c.Close()
		return
	}
	c.SetDeadline(time.Time{})
	var out net.Conn = c
	if c.ConnectionState().NegotiatedProtocol != "h2" {
		out = &framingConn{Conn: c}
	}
	select {
	case l.ready <- out:
	case <-l.done:
		c.Close()
	}
}

// Accept returns the next connection whose handshake is done.
func (l *tlsListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case <-l.done:
		return nil, l.err
	}
}

// Close stops accepting; handshakes under way are dropped.
func (l *tlsListener) Close() error {
	var err error
	l.once.Do(func() { err = l.Listener.Close() })
	return err
}
