package edge

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/internal/logbuf"
)

// Info is what the edge knows of one request. The door behind the edge
// fills in what only it learns (the route that served the request, the
// caller it authenticated), and the edge logs and counts the request with
// it once the answer is sent.
type Info struct {
	// ID identifies the request in the log and in a 500's problem: the
	// caller's X-Request-Id when it sent a sane one, else a new one. It is
	// echoed in the answer.
	ID string
	// Route is the route pattern that served the request, for the log and
	// the counts; "none" until a door names one.
	Route string
	// Caller is the name of the token the door authenticated, if any.
	Caller string
	// Status is the status sent so far; 0 before the handler wrote.
	Status int
}

type infoKey struct{}

// InfoOf returns the Info of the request whose context is ctx. A request
// that did not come through the edge gets a fresh Info nobody reads, so a
// door needs no check before filling it in.
func InfoOf(ctx context.Context) *Info {
	if i, ok := ctx.Value(infoKey{}).(*Info); ok {
		return i
	}
	return &Info{Route: "none"}
}

// Metrics counts what the edge sees. The edge names no metrics library:
// the metrics package implements it for Prometheus, so a service that
// embeds the gonehttp middleware links none.
type Metrics interface {
	// Request counts one answered request by the route that served it,
	// its status and how long it took.
	Request(route string, status int, elapsed time.Duration)
	// Shed counts one request refused because the server was full.
	Shed()
}

// observe is the outermost layer: it gives every request its Info (and
// X-Request-Id), then writes one log line and counts the request.
func observe(next http.Handler, cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// One allocation for the request's records and its id's header
		// value.
		o := &struct {
			info Info
			sw   statusWriter
			rid  [1]string
		}{info: Info{ID: r.Header.Get("X-Request-Id"), Route: "none"}}
		info, sw := &o.info, &o.sw
		*sw = statusWriter{ResponseWriter: w, info: info}
		if !saneID(info.ID) {
			info.ID = newRequestID()
		}
		o.rid[0] = info.ID
		w.Header()["X-Request-Id"] = o.rid[:]
		// Deferred: a request whose handler aborts (http.ErrAbortHandler,
		// which net/http expects to see) is logged and counted too.
		defer func() {
			if info.Status == 0 {
				info.Status = http.StatusOK
			}
			elapsed := time.Since(start)
			logRequest(cfg.Log, r, info, start.Add(elapsed), elapsed)
			if cfg.Metrics != nil {
				cfg.Metrics.Request(info.Route, info.Status, elapsed)
			}
		}()
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
	})
}

// saneID reports whether a caller's request id may be used as ours: short
// and printable ASCII, so it cannot break a log line or a header.
func saneID(id string) bool {
	return len(id) > 0 && len(id) <= 64 && !strings.ContainsFunc(id, func(c rune) bool { return c < '!' || c > '~' })
}

// logRequest writes the request's info line. Straight to the handler,
// with typed attributes: no boxing of each value, and no runtime.Callers
// for a source location the line never shows; gone's own handler
// (logbuf.TextHandler) takes the attributes without a slog.Record.
func logRequest(log *slog.Logger, r *http.Request, info *Info, t time.Time, elapsed time.Duration) {
	h := log.Handler()
	if !h.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	attrs := [...]slog.Attr{slog.String("request_id", info.ID), slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.String("route", info.Route), slog.Int("status", info.Status), slog.Duration("duration", elapsed),
		slog.String("caller", info.Caller)}
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

// statusWriter records the status a handler sent in the request's Info.
type statusWriter struct {
	http.ResponseWriter
	info *Info
}

func (w *statusWriter) WriteHeader(code int) {
	// An informational answer (103 Early Hints, passed on from an
	// upstream) comes before the status; 101 is the final one.
	if w.info.Status == 0 {
		w.oneID()
		if code >= 200 || code == http.StatusSwitchingProtocols {
			w.info.Status = code
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.info.Status == 0 {
		w.oneID()
		w.info.Status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// oneID leaves the answer one X-Request-Id: the handler's own when it
// added one (a proxied upstream's, which passes unchanged; one that
// honours the id the proxy sent it echoes ours), else the edge's, put
// back if a handler cleared the header (ReverseProxy does after a 1xx).
func (w *statusWriter) oneID() {
	h := w.ResponseWriter.Header()
	switch ids := h["X-Request-Id"]; {
	case len(ids) == 0:
		h["X-Request-Id"] = []string{w.info.ID}
	case len(ids) > 1 && ids[0] == w.info.ID:
		h["X-Request-Id"] = ids[1:]
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush and Hijack are there for handlers that assert http.Flusher or
// http.Hijacker rather than use an http.ResponseController: behind the
// edge, a stream must still flush and a WebSocket still upgrade.
func (w *statusWriter) Flush() {
	if w.info.Status == 0 {
		w.oneID()
		w.info.Status = http.StatusOK
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// recoverPanics turns a handler's panic into a logged 500 problem that
// names the request id, instead of a dropped connection. The panic's value
// and stack go to the log, never to the caller. http.ErrAbortHandler (a
// handler giving up on purpose, as ReverseProxy does when the upstream
// breaks off) is let through to net/http, which expects it.
func recoverPanics(next http.Handler, cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			info := InfoOf(r.Context())
			cfg.Log.LogAttrs(r.Context(), slog.LevelError, "internal error", slog.String("err", fmt.Sprintf("panic: %v", v)),
				slog.String("request_id", info.ID), slog.String("stack", string(debug.Stack())))
			if info.Status != 0 {
				// The answer has begun: a 500 now would be a second
				// status, or a problem appended to the body. Cutting the
				// connection tells the client the answer is unfinished.
				panic(http.ErrAbortHandler)
			}
			lng := answer.Language(r)
			p := answer.New(r.URL.Path, lng, http.StatusInternalServerError, answer.Text(lng, answer.MsgInternal))
			p.Rebase(cfg.ProblemBase)
			p.RequestID = info.ID
			// What the handler set before it panicked is not the answer.
			h := w.Header()
			for k := range h {
				if k != "X-Request-Id" && !strings.HasPrefix(k, "Access-Control-") && k != "Vary" {
					delete(h, k)
				}
			}
			h["Cache-Control"] = answer.NoStore
			answer.Write(w, lng, p)
		}()
		next.ServeHTTP(w, r)
	})
}
