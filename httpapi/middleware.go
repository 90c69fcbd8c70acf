package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	callerKey
)

// withRequestID gives every request an id, taken from X-Request-Id when the
// caller sent a sane one, and echoes it in the response.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c < '!' || c > '~' }) {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
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

// logRequests writes one structured log line per request.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.log.InfoContext(r.Context(), "request",
			"request_id", requestID(r.Context()), "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "duration", time.Since(start), "caller", callerFrom(r.Context()).Name)
	})
}

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
		if p == "/" || p == "" {
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
