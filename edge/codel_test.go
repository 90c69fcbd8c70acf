package edge

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// CoDel: a queue that drains lets a request wait up to QueueWait (a
// hiccup is absorbed, not shed); a queue that stood above codelTarget for
// a whole interval without draining lets it wait codelTarget at most.
func TestSheddingFollowsStandingQueue(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(Shedding{MaxInFlight: 1, MaxQueue: 8, QueueWait: time.Hour}, clock.now)
	never := make(chan struct{})
	if !l.acquire(never) {
		t.Fatal("the first request found no free slot")
	}
	// The slot was free: the first interval drained.
	if w := l.maxWait(clock.now()); w != time.Hour {
		t.Fatalf("a draining queue: wait %v, want QueueWait", w)
	}
	clock.add(codelInterval)
	if w := l.maxWait(clock.now()); w != time.Hour {
		t.Fatalf("after an interval that drained: wait %v, want QueueWait", w)
	}
	// A whole interval in which every request waited 50 ms and none
	// found a free slot: the queue is standing.
	l.sojourn(50 * time.Millisecond)
	l.sojourn(80 * time.Millisecond)
	clock.add(codelInterval)
	if w := l.maxWait(clock.now()); w != codelTarget {
		t.Fatalf("after a standing interval: wait %v, want %v", w, codelTarget)
	}
	// So a request that queues now is refused after codelTarget rather
	// than waiting QueueWait (an hour) for the held slot.
	if l.acquire(never) {
		t.Fatal("a request got the held slot")
	}
	// A short sojourn in the next interval ends the standing verdict.
	l.sojourn(time.Millisecond)
	clock.add(codelInterval)
	if w := l.maxWait(clock.now()); w != time.Hour {
		t.Fatalf("after an interval with a short sojourn: wait %v, want QueueWait", w)
	}
	// And a queued request waits for the slot again.
	got := make(chan bool)
	go func() { got <- l.acquire(never) }()
	for l.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	l.release()
	if !<-got {
		t.Fatal("a request queued behind a draining queue was refused")
	}
}
