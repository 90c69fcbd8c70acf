package httpapi

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gonehttp/gone/answer"
)

// Shedding bounds the work in progress, so that under overload the requests
// gone answers stay fast and the excess is refused at once (503 with
// Retry-After: 1) instead of every request waiting its turn. Up to
// MaxInFlight requests run; up to MaxQueue more wait, first come first
// served; any other request is refused on arrival.
//
// How long a request may wait follows CoDel ("Controlling Queue Delay",
// Nichols and Jacobson, ACM Queue 2012, as "Fail at Scale", ACM Queue 2015,
// applies it to a server's queue): while the queue drains, a request waits
// up to QueueWait, so a scheduling hiccup or a collector pause is absorbed
// rather than shed; once no request of a whole codelInterval got through
// the queue in less than codelTarget, the queue is standing (more arrives
// than the server can answer) and a request waits at most codelTarget, so
// overload is refused fast instead of queued.
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
		s.limit = newLimiter(sh, time.Now)
	}
}

// CoDel's constants: the sojourn a healthy queue stays under, and the
// interval over which a queue that never did is called standing.
const (
	codelTarget   = 5 * time.Millisecond
	codelInterval = 100 * time.Millisecond
)

func newLimiter(sh Shedding, now func() time.Time) *limiter {
	return &limiter{slots: make(chan struct{}, sh.MaxInFlight), maxQueue: int64(sh.MaxQueue), wait: sh.QueueWait, now: now}
}

// limiter is a counting semaphore with a bounded first-come-first-served
// queue: goroutines blocked sending on a channel are woken in order.
type limiter struct {
	slots    chan struct{}
	waiting  atomic.Int64
	maxQueue int64
	wait     time.Duration
	now      func() time.Time

	// CoDel's state, touched only by requests that queue.
	mu       sync.Mutex
	start    time.Time     // the current interval's start
	least    time.Duration // the shortest sojourn seen in it; -1 for none yet
	standing bool          // the last interval's verdict
	// drained is set when a request found a slot free: the queue was
	// empty, so the interval cannot end standing.
	drained atomic.Bool
}

// maxWait is how long a request that queues now may wait.
func (l *limiter) maxWait(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.start.IsZero() {
		l.start, l.least = now, -1
	}
	if now.Sub(l.start) >= codelInterval {
		l.standing = !l.drained.Load() && l.least > codelTarget
		l.start, l.least = now, -1
		l.drained.Store(false)
	}
	if l.standing {
		return min(l.wait, codelTarget)
	}
	return l.wait
}

// sojourn records how long a request waited in the queue.
func (l *limiter) sojourn(d time.Duration) {
	l.mu.Lock()
	if l.least < 0 || d < l.least {
		l.least = d
	}
	l.mu.Unlock()
}

// acquire takes a slot, waiting in the queue if there is room in it; false
// means shed the request.
func (l *limiter) acquire(done <-chan struct{}) bool {
	select {
	case l.slots <- struct{}{}:
		if !l.drained.Load() {
			l.drained.Store(true)
		}
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
	enqueued := l.now()
	wait := l.maxWait(enqueued)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		l.sojourn(l.now().Sub(enqueued))
		return true
	case <-t.C:
		l.sojourn(wait)
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
