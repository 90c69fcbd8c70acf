package inbox

import (
	"cmp"
	"container/heap"
	"slices"
	"time"
	"unsafe"

	"github.com/gonehttp/gone"
)

// Counter finds the paths asked for most in a stream of misses, in bounded
// memory: the Space-Saving algorithm (Metwally, Agrawal, El Abbadi 2005)
// over at most Capacity slots. A path not in a full counter takes the slot
// of the path with the lowest count and inherits that count as its error,
// so any path asked for more than N/Capacity times of N misses holds a
// slot, whatever else is asked for. Counts decay (Decay), so yesterday's
// hot path makes room for today's.
//
// Besides its estimate, each slot counts exactly the hits seen since it
// was taken and since its last flush: what reaches the store is counted,
// never estimated.
//
// A Counter is not safe for concurrent use; Recorder serialises it.
type Counter struct {
	capacity int
	slots    map[string]*slot
	byCount  slotHeap // min-heap on count
}

// slot is one tracked path.
type slot struct {
	path  string
	count float64 // Space-Saving estimate, decayed
	err   float64 // the count inherited when the slot was taken, decayed
	// tracked is the exact number of hits since the slot was taken.
	tracked int64
	// The hits since the last flush: exact.
	hits, crawler int64
	first, last   time.Time
	refs          []gone.Referrer // at most slotReferrers, pending like hits
	index         int             // in byCount
}

// slotReferrers is how many referrers a slot tracks between flushes; the
// store keeps gone.MaxReferrers over all flushes.
const slotReferrers = 3

// slotOverhead is what a slot costs beyond its strings: the struct, its
// map entry and heap pointer, and its referrer slice's array.
const slotOverhead = int(unsafe.Sizeof(slot{})) + 64 + slotReferrers*int(unsafe.Sizeof(gone.Referrer{}))

// NewCounter returns a counter of capacity slots.
func NewCounter(capacity int) *Counter {
	return &Counter{capacity: max(capacity, 1), slots: make(map[string]*slot, capacity)}
}

// Len is how many paths are tracked: never more than the capacity.
func (c *Counter) Len() int { return len(c.slots) }

// Bytes is the memory the tracked paths hold: their strings and each
// slot's fixed cost. With paths of at most MaxPathBytes and referrers of at
// most MaxReferrerBytes it stays under MaxBytes(capacity).
func (c *Counter) Bytes() int {
	n := 0
	for _, s := range c.slots {
		n += slotOverhead + len(s.path)
		for _, r := range s.refs {
			n += len(r.URL)
		}
	}
	return n
}

// MaxBytes is the most memory a counter of capacity slots holds.
func MaxBytes(capacity int) int {
	return capacity * (slotOverhead + MaxPathBytes + slotReferrers*MaxReferrerBytes)
}

// Add counts one miss of path at now, from referrer ("" for none), by a
// crawler or a person.
func (c *Counter) Add(path, referrer string, crawler bool, now time.Time) {
	s, ok := c.slots[path]
	switch {
	case ok:
		s.count++
		heap.Fix(&c.byCount, s.index)
	case len(c.slots) < c.capacity:
		s = &slot{path: path, count: 1}
		c.slots[path] = s
		heap.Push(&c.byCount, s)
	default:
		// Space-Saving: the least counted path gives up its slot.
		s = c.byCount[0]
		delete(c.slots, s.path)
		*s = slot{path: path, count: s.count + 1, err: s.count, index: s.index}
		c.slots[path] = s
		heap.Fix(&c.byCount, s.index)
	}
	s.tracked++
	s.hits++
	if crawler {
		s.crawler++
	}
	if s.first.IsZero() {
		s.first = now
	}
	s.last = now
	if referrer != "" {
		s.addReferrer(referrer)
	}
}

// addReferrer counts a referrer in the slot's few: Space-Saving again, in
// miniature.
func (s *slot) addReferrer(url string) {
	for i := range s.refs {
		if s.refs[i].URL == url {
			s.refs[i].Hits++
			return
		}
	}
	if len(s.refs) < slotReferrers {
		s.refs = append(s.refs, gone.Referrer{URL: url, Hits: 1})
		return
	}
	least := 0
	for i := range s.refs {
		if s.refs[i].Hits < s.refs[least].Hits {
			least = i
		}
	}
	s.refs[least] = gone.Referrer{URL: url, Hits: s.refs[least].Hits + 1}
}

// Decay multiplies every count by factor (0 < factor ≤ 1). Scaling every
// count alike keeps the heap's order.
func (c *Counter) Decay(factor float64) {
	for _, s := range c.slots {
		s.count *= factor
		s.err *= factor
	}
}

// Take returns the hits counted since the last Take of the paths that
// were surely asked for, and starts their counts afresh. A path is sure
// while the counter is exact for it (it took a free slot, or its inherited
// error has decayed below one hit), or once it has been asked for
// minTracked times since it took its slot: a flood of distinct paths each
// asked for once churns the slots without reaching the store.
func (c *Counter) Take(minTracked int64) []gone.InboxEntry {
	var out []gone.InboxEntry
	for _, s := range c.slots {
		if s.hits == 0 || s.err >= 1 && s.tracked < minTracked {
			continue
		}
		out = append(out, gone.InboxEntry{
			Path: s.path, Hits: s.hits, CrawlerHits: s.crawler,
			FirstSeen: s.first, LastSeen: s.last, Referrers: gone.MergeReferrers(nil, s.refs),
		})
		s.hits, s.crawler, s.first, s.last, s.refs = 0, 0, time.Time{}, time.Time{}, nil
	}
	return out
}

// Forget stops tracking the paths for which drop is true.
func (c *Counter) Forget(drop func(path string) bool) {
	for p, s := range c.slots {
		if drop(p) {
			delete(c.slots, p)
			heap.Remove(&c.byCount, s.index)
		}
	}
}

// Top returns the n tracked paths with the highest counts, highest first
// (ties by path): for tests and diagnostics.
func (c *Counter) Top(n int) []string {
	all := slices.Clone(c.byCount)
	slices.SortFunc(all, func(a, b *slot) int { return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(a.path, b.path)) })
	out := make([]string, 0, min(n, len(all)))
	for _, s := range all[:min(n, len(all))] {
		out = append(out, s.path)
	}
	return out
}

// slotHeap is a min-heap of slots on count (container/heap).
type slotHeap []*slot

func (h slotHeap) Len() int           { return len(h) }
func (h slotHeap) Less(i, j int) bool { return h[i].count < h[j].count }
func (h slotHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *slotHeap) Push(x any) {
	s := x.(*slot)
	s.index = len(*h)
	*h = append(*h, s)
}
func (h *slotHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return s
}
