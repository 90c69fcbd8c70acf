package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/console"
	"github.com/gonehttp/gone/internal/logbuf"
)

// reqInfo is what the middleware learns about one request on its way in.
// It is one context value that inner layers fill in (authenticate the
// caller, the mux the route pattern), so the outer observe sees them when
// it logs and counts the request.
type reqInfo struct {
	id      string
	caller  gone.Caller
	pattern string // the route pattern the mux matched; "none" if it never ran
	// memo is set while replay waits to learn whether this read's answer
	// may be kept (see noteMemo).
	memo *pendingMemo
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
		// One allocation for both per-request records and the request
		// id's header value.
		o := &struct {
			info reqInfo
			sw   statusWriter
			rid  [1]string
		}{info: reqInfo{id: r.Header.Get("X-Request-Id"), pattern: "none"}, sw: statusWriter{ResponseWriter: w}}
		info, sw := &o.info, &o.sw
		if len(info.id) == 0 || len(info.id) > 64 || strings.ContainsFunc(info.id, func(c rune) bool { return c < '!' || c > '~' }) {
			info.id = newRequestID()
		}
		o.rid[0] = info.id
		w.Header()["X-Request-Id"] = o.rid[:]
		s.serveRead(sw, r, info, next)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		elapsed := time.Since(start)
		s.logRequest(r, info, sw.status, start.Add(elapsed), elapsed)
		s.metrics.request(info.pattern, sw.status, elapsed)
		if sw.status < 300 && r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
			// A write went through: this instance's change streams hear
			// of it now rather than at the next poll.
			s.hub.nudge()
		}
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

// logRequest writes the request's info line. Straight to the handler,
// with typed attributes: no boxing of each value, and no runtime.Callers
// for a source location the line never shows; serve's handler
// (logbuf.TextHandler) takes the attributes without a slog.Record.
func (s *server) logRequest(r *http.Request, info *reqInfo, status int, t time.Time, elapsed time.Duration) {
	h := s.log.Handler()
	if !h.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	attrs := [...]slog.Attr{slog.String("request_id", info.id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.String("route", info.pattern), slog.Int("status", status), slog.Duration("duration", elapsed),
		slog.String("caller", info.caller.Name)}
	if th, ok := h.(*logbuf.TextHandler); ok {
		th.Log(r.Context(), t, slog.LevelInfo, "request", attrs[:]...)
		return
	}
	rec := slog.NewRecord(t, slog.LevelInfo, "request", 0)
	rec.AddAttrs(attrs[:]...)
	h.Handle(r.Context(), rec)
}

// newRequestID is 16 hex digits from the runtime's per-thread ChaCha8
// generator: unique enough to find a request's log line, and, unlike
// crypto/rand, no system call on the request's path.
func newRequestID() string {
	var b [16]byte
	const digits = "0123456789abcdef"
	n := rand.Uint64()
	for i := range b {
		b[i] = digits[n&15]
		n >>= 4
	}
	return string(b[:])
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
		if s.rules != nil && p != s.prefix && !strings.HasPrefix(p, s.prefix+"/") {
			// Outside the API, a non-canonical path may spell one a rule
			// answers: the rules read it as the proxy does. (An encoded
			// spelling that is otherwise clean reaches the mux, and the
			// unknown route's handler asks the rules the same way.)
			if clean := path.Clean(p); clean != p {
				s.ruleOr(w, r, func(w http.ResponseWriter, r *http.Request) { s.routeNotFound(w, r, clean) })
				return
			}
		}
		if strings.Contains(strings.ToUpper(r.URL.RawPath), "%2F") {
			// An encoded slash is never part of an id (see gone.ValidID),
			// so what the caller meant is the path with real slashes:
			// /api/users%2F42 suggests /api/users/42.
			s.routeNotFound(w, r, p)
			return
		}
		if clean := path.Clean(p); clean != p {
			s.routeNotFound(w, r, clean)
			return
		}
		next.ServeHTTP(w, r)
	})
}
