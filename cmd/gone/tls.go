package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/gonehttp/gone/httpapi"
)

// tlsFlags are --tls-cert and --tls-key, which serve and proxy share.
type tlsFlags struct {
	cert, key *string
}

func addTLSFlags(fs *flag.FlagSet, e env) tlsFlags {
	return tlsFlags{
		cert: envString(fs, e, "tls-cert", "GONE_TLS_CERT", "", "serve HTTPS (HTTP/2 and HTTP/1.1) with this PEM certificate chain; needs --tls-key"),
		key:  envString(fs, e, "tls-key", "GONE_TLS_KEY", "", "the PEM private key of --tls-cert"),
	}
}

// config loads the certificate, or returns nil when TLS is off. It runs
// before the port is opened, so a wrong path stops the start cleanly.
func (f tlsFlags) config() (*tls.Config, error) {
	switch {
	case *f.cert == "" && *f.key == "":
		return nil, nil
	case *f.cert == "" || *f.key == "":
		return nil, usageError("--tls-cert and --tls-key go together")
	}
	cert, err := tls.LoadX509KeyPair(*f.cert, *f.key)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert %s, --tls-key %s: %w", *f.cert, *f.key, err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2", "http/1.1"},
	}, nil
}

// handshakeTimeout bounds a client's TLS handshake.
const handshakeTimeout = 10 * time.Second

// tlsListener terminates TLS below the framing guard, which must read a
// request's plain bytes: HTTP/1.1 connections reach net/http through
// httpapi.GuardFraming; HTTP/2 ones go to net/http's HTTP/2 server as
// *tls.Conn, which is how it recognises them (HTTP/2 frames its own
// messages and refuses Transfer-Encoding, so there is nothing to smuggle).
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
		out = guardConn(c)
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

// guardConn puts one connection behind httpapi.GuardFraming, which wraps
// listeners.
func guardConn(c net.Conn) net.Conn {
	g, _ := httpapi.GuardFraming(oneConn{c}).Accept()
	return g
}

// oneConn is a listener whose Accept returns its connection.
type oneConn struct{ net.Conn }

func (o oneConn) Accept() (net.Conn, error) { return o.Conn, nil }
func (o oneConn) Close() error              { return nil }
func (o oneConn) Addr() net.Addr            { return o.LocalAddr() }
