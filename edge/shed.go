package edge

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
//
// A MaxInFlight below 1 leaves shedding off.
type Shedding struct {
	MaxInFlight int
	MaxQueue    int
	QueueWait   time.Duration
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

// shed refuses what the limiter cannot take with a 503 problem; with no
// limit it is next itself. A request cfg.Unshed names is never held:
// what an orchestrator must reach most when the server is busiest (health,
// readiness, metrics), and change streams, which would hold a slot for
// hours while they mostly wait.
func shed(next http.Handler, cfg Config) http.Handler {
	if cfg.Shedding.MaxInFlight < 1 {
		return next
	}
	return shedWith(next, cfg, newLimiter(cfg.Shedding, time.Now))
}

// shedWith is shed with the limiter l.
func shedWith(next http.Handler, cfg Config, l *limiter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cfg.Unshed != nil && cfg.Unshed(r) {
			next.ServeHTTP(w, r)
			return
		}
		if !l.acquire(r.Context().Done()) {
			if cfg.Metrics != nil {
				cfg.Metrics.Shed()
			}
			lng := answer.Language(r)
			h := w.Header()
			// The door's CORS policy, so that a page may read the
			// Retry-After of its refused call.
			cfg.CORS.Headers(h, r)
			h.Set("Retry-After", "1")
			h["Cache-Control"] = answer.NoStore
			p := answer.New(r.URL.Path, lng, http.StatusServiceUnavailable, answer.Text(lng, answer.MsgOverloaded))
			p.Rebase(cfg.ProblemBase)
			p.RetryAfter = 1
			answer.Write(w, lng, p)
			return
		}
		defer l.release()
		next.ServeHTTP(w, r)
	})
}
