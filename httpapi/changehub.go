package httpapi

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gonehttp/gone"
)

// changeHub tells open change streams when the audit log has grown. It
// holds no events, only the highest sequence seen: each stream reads its
// own events from the store, one bounded page at a time, so a slow or
// stalled reader costs one page and a goroutine, never a queue.
//
// It learns of new events by polling the store by sequence while any
// stream waits: one indexed query per interval per instance, however many
// streams are open. Polling the shared store, rather than hearing about
// local writes, is what lets a write on any instance reach the watchers of
// every instance over one PostgreSQL.
type changeHub struct {
	store gone.AuditReader
	every time.Duration
	log   *slog.Logger

	mu      sync.Mutex
	head    int64         // highest sequence known to be in the log
	wake    chan struct{} // closed (and replaced) when head grows
	waiters int
	polling bool
	// kick asks the poller to look now: a write went through this
	// instance, so its own watchers need not wait for the next tick.
	kick chan struct{}
}

// pollPage bounds one poll's read; a full page is read again at once.
const pollPage = 1000

func newChangeHub(store gone.AuditReader, every time.Duration, log *slog.Logger) *changeHub {
	return &changeHub{store: store, every: every, log: log, wake: make(chan struct{}), kick: make(chan struct{}, 1)}
}

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// headSeq returns the highest sequence known to be in the log. Every event
// up to it is visible: stores make audit events visible in Seq order
// (gone.Store.Audit).
func (h *changeHub) headSeq() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.head
}

// saw records that a stream read seq from the store, so the hub need not
// page up to it, and wakes streams still behind it.
func (h *changeHub) saw(seq int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.advance(seq)
}

func (h *changeHub) advance(seq int64) {
	if seq > h.head {
		h.head = seq
		close(h.wake)
		h.wake = make(chan struct{})
	}
}

// wait returns a channel that is closed once the log holds an event after
// seq, and a func to call when no longer waiting.
func (h *changeHub) wait(seq int64) (<-chan struct{}, func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.head > seq {
		return closed, func() {}
	}
	h.waiters++
	if !h.polling {
		h.polling = true
		go h.poll()
	}
	return h.wake, func() {
		h.mu.Lock()
		h.waiters--
		h.mu.Unlock()
	}
}

// nudge makes a running poller look at once.
func (h *changeHub) nudge() {
	if h == nil {
		return
	}
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// poll runs while any stream waits.
func (h *changeHub) poll() {
	t := time.NewTicker(h.every)
	defer t.Stop()
	for {
		h.mu.Lock()
		if h.waiters == 0 {
			h.polling = false
			h.mu.Unlock()
			return
		}
		head := h.head
		h.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		last, err := gone.ReadAfter(ctx, h.store, head, func(gone.AuditEvent) {})
		cancel()
		if err != nil {
			h.log.Warn("change feed: polling the audit log failed", "err", err)
		}
		h.saw(last)
		select {
		case <-t.C:
		case <-h.kick:
		}
	}
}
