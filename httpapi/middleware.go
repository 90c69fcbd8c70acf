package httpapi

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/console"
)

// reqInfo is what the middleware learns about one request on its way in.
// It is one context value that inner layers fill in (authenticate the
// caller, the mux the route pattern), so the outer observe sees them when
// it logs and counts the request.
type reqInfo struct {
	id      string
	caller  gone.Caller
	pattern string // the route pattern the mux matched; "none" if it never ran
}

type reqInfoKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	if i, ok := ctx.Value(reqInfoKey{}).(*reqInfo); ok {
		return i
	}
	return &reqInfo{pattern: "none"}
}

func requestID(ctx context.Context) string { return infoFrom(ctx).id }

func callerFrom(ctx context.Context) gone.Caller { return infoFrom(ctx).caller }

// observe is the outermost layer: it gives every request an id (taken from
// X-Request-Id when the caller sent a sane one, and echoed), then writes one
// structured log line and, with metrics on, counts the request by route
// pattern and status.
func (s *server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &reqInfo{id: r.Header.Get("X-Request-Id"), pattern: "none"}
		if len(info.id) == 0 || len(info.id) > 64 || strings.ContainsFunc(info.id, func(c rune) bool { return c < '!' || c > '~' }) {
			// An id names a request in the logs; it need not be
			// unguessable, so it costs no system call (crypto/rand would,
			// on every request of a proxied site).
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], rand.Uint64())
			info.id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", info.id)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, info)))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		elapsed := time.Since(start)
		s.log.InfoContext(r.Context(), "request",
			"request_id", info.id, "method", r.Method, "path", r.URL.Path, "route", info.pattern,
			"status", sw.status, "duration", elapsed, "caller", info.caller.Name)
		s.metrics.request(info.pattern, sw.status, elapsed)
	})
}

// Observe returns NewServer's request log and metrics as a middleware for
// a handler outside the API (the proxy's traffic): one log line and, with
// WithMetrics, one count per request, under the route label route.
func Observe(log *slog.Logger, route string, opts ...Option) func(http.Handler) http.Handler {
	s := &server{log: log}
	for _, opt := range opts {
		opt(s)
	}
	return func(next http.Handler) http.Handler {
		return s.observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			infoFrom(r.Context()).pattern = route
			next.ServeHTTP(w, r)
		}))
	}
}

// notePattern records the route pattern the mux matched, for observe.
func notePattern(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if r.Pattern != "" {
				infoFrom(r.Context()).pattern = r.Pattern
			}
		}()
		mux.ServeHTTP(w, r)
	})
}

// statusWriter records the status a handler sent, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recoverPanics turns a handler panic into a logged 500 problem instead of a
// dropped connection.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// cleanPaths answers non-canonical paths (dot segments, double or trailing
// slashes) with a 404 that suggests the clean path, where the standard mux
// would redirect: a redirect turns a DELETE or POST into something else, and
// an id must never be reached by two paths.
func (s *server) cleanPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		// The console's root is a directory: its trailing slash is what
		// makes the pages' relative links resolve under it.
		if p == "/" || p == "" || p == console.Prefix {
			next.ServeHTTP(w, r)
			return
		}
		if strings.Contains(strings.ToUpper(r.URL.RawPath), "%2F") {
			// An encoded slash is never part of an id (see gone.ValidID).
			s.routeNotFound(w, r, "")
			return
		}
		if clean := path.Clean(p); clean != p {
			s.routeNotFound(w, r, clean)
			return
		}
		next.ServeHTTP(w, r)
	})
}
