package httpapi

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gonehttp/gone/answer"
)

// Shedding bounds the work in progress, so that under overload the requests
// gone answers stay fast and the excess is refused at once (503 with
// Retry-After: 1) instead of every request waiting its turn. Up to
// MaxInFlight requests run; up to MaxQueue more wait, first come first
// served, at most QueueWait each; any other request is refused on arrival.
type Shedding struct {
	MaxInFlight int
	MaxQueue    int
	QueueWait   time.Duration
}

// WithShedding turns shedding on for every route but /healthz, /readyz
// and /metrics, which an orchestrator must reach most when the server is
// busiest. A MaxInFlight below 1 leaves shedding off.
func WithShedding(sh Shedding) Option {
	return func(s *server) {
		if sh.MaxInFlight < 1 {
			return
		}
		s.limit = &limiter{slots: make(chan struct{}, sh.MaxInFlight), maxQueue: int64(sh.MaxQueue), wait: sh.QueueWait}
	}
}

// limiter is a counting semaphore with a bounded first-come-first-served
// queue: goroutines blocked sending on a channel are woken in order.
type limiter struct {
	slots    chan struct{}
	waiting  atomic.Int64
	maxQueue int64
	wait     time.Duration
}

// acquire takes a slot, waiting in the queue if there is room in it; false
// means shed the request.
func (l *limiter) acquire(done <-chan struct{}) bool {
	select {
	case l.slots <- struct{}{}:
		return true
	default:
	}
	if l.wait <= 0 || l.waiting.Add(1) > l.maxQueue {
		if l.wait > 0 {
			l.waiting.Add(-1)
		}
		return false
	}
	defer l.waiting.Add(-1)
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-done:
		return false
	}
}

func (l *limiter) release() { <-l.slots }

// neverShed are the paths an overloaded server still answers.
var neverShed = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// shed refuses what the limiter cannot take with a 503 problem.
func (s *server) shed(next http.Handler) http.Handler {
	if s.limit == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if neverShed[r.URL.Path] || s.isChangeStream(r) {
			// A change stream would hold its slot for hours while it
			// mostly waits, so a few dozen watchers would shed every
			// other request; MaxStreams bounds streams instead.
			next.ServeHTTP(w, r)
			return
		}
		if !s.limit.acquire(r.Context().Done()) {
			s.metrics.shed()
			lng := answer.Language(r)
			h := w.Header()
			h.Set("Retry-After", "1")
			h.Set("Cache-Control", "no-store")
			p := newProblem(r, lng, http.StatusServiceUnavailable, answer.Text(lng, answer.MsgOverloaded))
			p.RetryAfter = 1
			answer.Write(w, lng, p)
			return
		}
		defer s.limit.release()
		next.ServeHTTP(w, r)
	})
}
