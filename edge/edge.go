// Package edge is what every front door of gone mounts between a socket and
// its handler: gone serve and gone proxy serve through Serve, and a Go
// service that embeds the gonehttp middleware serves through it too, so
// what one refuses, all refuse.
//
// Serve is one unit on purpose. The framing guard reads each connection's
// bytes (framing.go) and decides there whether a request may be served; the
// handler it wraps answers a refused request and closes its connection. A
// door cannot mount one half without the other, and no header carries the
// verdict from one to the other, so nothing a client sends can forge it and
// nothing internal can reach an upstream.
package edge

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gonehttp/gone/answer"
)

// MaxURIBytes is the longest request target (path and query) gone serves;
// a longer one is answered 414. RFC 9110 §4.1 asks for at least 8000.
const MaxURIBytes = 16 << 10

// MaxHeaderBytes is the most header data (request line included) gone
// serves; more is answered 431. Serve raises the http.Server's own
// MaxHeaderBytes above it, so that these answers are gone's problems
// rather than net/http's plain-text 431.
const MaxHeaderBytes = 64 << 10

// Config is what Serve needs beside the server.
type Config struct {
	// Log receives a line per request (its id, method, path, route,
	// status, duration and caller), a warning per refused request and an
	// error per panic; nil discards them.
	Log *slog.Logger
	// Metrics counts every request and every shed one; nil counts none.
	Metrics Metrics
	// Shedding bounds the requests in progress (see Shedding); the zero
	// value sheds nothing.
	Shedding Shedding
	// Unshed names the requests shedding never holds nor refuses (health
	// checks, long-lived streams, traffic bounded elsewhere); nil: none.
	Unshed func(*http.Request) bool
	// CORS is the door's CORS policy, applied to the answers the edge
	// writes itself (a shed 503), so that a page may read them.
	CORS answer.CORS
	// BodyIdleTimeout bounds the wait for each read of a request body
	// (see BodyStalled; the door answers 408); 0 leaves it unbounded.
	BodyIdleTimeout time.Duration
	// ProblemBase is where the door documents problem types (default
	// answer.Base; the proxy serves them below its admin prefix).
	ProblemBase string
	// TLS, when set, makes Serve terminate TLS (HTTP/2 and HTTP/1.1, as
	// its NextProtos offer) below the guard, which reads HTTP/1.1's
	// decrypted bytes.
	TLS *tls.Config
}

// Serve serves srv's handler on ln behind the edge: every HTTP/1 request
// whose framing could be read two ways (RFC 9112 §6: Content-Length with
// Transfer-Encoding, several or unknown codings, conflicting lengths, a
// folded header line) is refused with a problem and its connection closed
// before any handler sees it; a connection that carried a chunked body is
// closed once that request is answered; an overlong target or header block
// is refused with 414 or 431. srv's Handler and ConnContext are wrapped,
// and its MaxHeaderBytes raised to 1 MiB when lower.
func Serve(srv *http.Server, ln net.Listener, cfg Config) error {
	if srv.Protocols != nil && srv.Protocols.UnencryptedHTTP2() {
		// h2c with prior knowledge: the guard would read HTTP/2's binary
		// frames as HTTP/1.1 header blocks.
		return errors.New("edge: unencrypted HTTP/2 is not served behind the framing guard; use TLS for HTTP/2")
	}
	harden(srv, cfg)
	if cfg.TLS != nil {
		return srv.Serve(newTLSListener(ln, cfg.TLS))
	}
	return srv.Serve(guardListener{ln})
}

// Handler is next behind the edge's layers that need no connection, from
// the outside in: the request's Info, its log line and counts; the
// guard's answering half (what the connection's guard refused when served
// by Serve, and Check's refusals); panic recovery; shedding; the idle bound
// on request bodies. Serve mounts
// it; a service that keeps its own server may mount it too, and gets all
// of the edge but the guard's reading of the connection.
//
// A request already behind an edge (a handler mounted with Handler and
// then served by Serve) passes an inner edge untouched: it has one id, one
// log line, one count, and takes its connection's verdict once.
func Handler(next http.Handler, cfg Config) http.Handler {
	cfg = cfg.withDefaults()
	h := observe(guardHandler(recoverPanics(shed(idleBodies(next, cfg.BodyIdleTimeout), cfg), cfg), cfg), cfg)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, inside := r.Context().Value(infoKey{}).(*Info); inside {
			next.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// withDefaults is c with a discarding log and answer.Base for what c
// leaves unset.
func (c Config) withDefaults() Config {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.ProblemBase == "" {
		c.ProblemBase = answer.Base
	}
	return c
}

// harden puts srv's handler behind the edge (Handler) and gives every
// request's context its connection's guard.
func harden(srv *http.Server, cfg Config) {
	if srv.MaxHeaderBytes < 1<<20 {
		srv.MaxHeaderBytes = 1 << 20
	}
	// Every request net/http serves must pass guardHandler, which takes
	// its verdict: the guard's verdicts are a queue, one per request.
	srv.DisableGeneralOptionsHandler = true
	inner := srv.ConnContext
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if inner != nil {
			ctx = inner(ctx, c)
		}
		if fc, ok := c.(*framingConn); ok {
			ctx = context.WithValue(ctx, connKey{}, fc)
		}
		return ctx
	}
	// A hijacked connection (a protocol upgrade the proxy tunnels) no
	// longer speaks HTTP/1.1: its guard steps aside.
	innerState := srv.ConnState
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		if fc, ok := c.(*framingConn); ok && s == http.StateHijacked {
			fc.release()
		}
		if innerState != nil {
			innerState(c, s)
		}
	}
	next := srv.Handler
	if next == nil {
		next = http.DefaultServeMux
	}
	srv.Handler = Handler(next, cfg)
}

type connKey struct{}

// guardHandler answers what the connection's guard refused, and the
// requests too large to serve; every other request goes to next, with
// Connection: close when its connection cannot be followed past it.
func guardHandler(next http.Handler, cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := verdict{}
		if fc, ok := r.Context().Value(connKey{}).(*framingConn); ok {
			v = fc.next()
		}
		switch {
		case v.status == http.StatusRequestHeaderFieldsTooLarge:
			refuse(w, r, cfg, v.status, fmt.Sprintf(answer.Text(answer.Language(r), v.key), MaxHeaderBytes))
			return
		case v.status != 0:
			refuse(w, r, cfg, v.status, answer.Text(answer.Language(r), v.key))
			return
		}
		if status, detail := Check(w, r); status != 0 {
			refuse(w, r, cfg, status, detail)
			return
		}
		switch {
		case r.Method == http.MethodOptions && r.RequestURI == "*":
			// Answered here rather than by net/http's own handler
			// (DisableGeneralOptionsHandler, set by harden), which
			// would take no verdict and leave the next request the
			// verdict of this one.
			// A body is drained by net/http, as after any handler.
			if v.close || len(r.TransferEncoding) > 0 {
				w.Header().Set("Connection", "close")
			}
			w.Header()["Cache-Control"] = answer.NoStore
			w.Header().Set("Content-Length", "0")
			return
		case v.close || len(r.TransferEncoding) > 0:
			// A chunked body is not followed here: the connection ends
			// with this request, so nothing after it is ever read.
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}

// Check reports whether r is one no front door of gone serves, whatever
// its framing: an overlong target (414) or header block (431), CONNECT
// (405, with Allow set in w), a target that is not a path (400). It
// returns 0 for a request to serve, else the status and the detail in r's
// language. Serve runs it on every request; the gonehttp middleware runs
// it too, for services that do not serve through Serve.
func Check(w http.ResponseWriter, r *http.Request) (status int, detail string) {
	switch {
	case len(r.RequestURI) > MaxURIBytes:
		return http.StatusRequestURITooLong, fmt.Sprintf(answer.Text(answer.Language(r), answer.MsgURITooLong), MaxURIBytes)
	case headerBytes(r) > MaxHeaderBytes:
		return http.StatusRequestHeaderFieldsTooLarge, fmt.Sprintf(answer.Text(answer.Language(r), answer.MsgHeadersTooLong), MaxHeaderBytes)
	case r.Method == http.MethodConnect:
		// A front door of gone serves paths; it never opens a tunnel to
		// wherever a client names.
		w.Header().Set("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
		return http.StatusMethodNotAllowed, answer.Text(answer.Language(r), answer.MsgConnect)
	case r.RequestURI != "*" && !strings.HasPrefix(r.URL.Path, "/"):
		// An authority-form target (GET host:80) has no path a rule could
		// match, and absolute-form ones came with a path.
		return http.StatusBadRequest, answer.Text(answer.Language(r), answer.MsgBadTarget)
	}
	return 0, ""
}

// refuse answers a request gone will not serve, and closes its connection.
func refuse(w http.ResponseWriter, r *http.Request, cfg Config, status int, detail string) {
	lng := answer.Language(r)
	// The path is the client's: quoted at most in part, so that a
	// refused overlong target is not sent back, nor logged, whole.
	path := clip(r.URL.EscapedPath())
	p := answer.New(path, lng, status, detail)
	p.Rebase(cfg.ProblemBase)
	w.Header().Set("Connection", "close")
	answer.Write(w, lng, p)
	cfg.Log.LogAttrs(r.Context(), slog.LevelWarn, "request refused", slog.String("method", clip(r.Method)),
		slog.String("path", path), slog.Int("target_bytes", len(r.RequestURI)), slog.Int("status", status), slog.String("remote", r.RemoteAddr))
}

// clipBytes is the most of a client's path a refusal quotes.
const clipBytes = 256

// clip is s cut to clipBytes (on a byte boundary: the path is escaped
// ASCII), marked as cut.
func clip(s string) string {
	if len(s) <= clipBytes {
		return s
	}
	return s[:clipBytes] + "..."
}

// headerBytes is about what r's request line and headers took on the wire.
func headerBytes(r *http.Request) int {
	// net/http moves Host out of r.Header.
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4 + len("Host") + len(r.Host) + 4
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}
