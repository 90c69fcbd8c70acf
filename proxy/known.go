package proxy

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/internal/editdist"
)

// MaxKnown bounds how many paths Known remembers, and MaxKnownPath how long
// each may be: at most 10,000 × 256 bytes, about 2.5 MiB. A longer path is
// neither learned nor given a suggestion.
const (
	MaxKnown     = 10_000
	MaxKnownPath = 256
)

// MaxSuggestCells bounds the work of one suggestion: the cells of the edit
// distance tables it may compute, over every candidate together (about
// 0.7 ms of CPU in BenchmarkSuggestWorstCase; one 404 once took 100 s).
// Past it, the nearest path found so far is the answer.
const MaxSuggestCells = 100_000

// maxSuggestDistance is how many single-byte edits a mistyped path may be
// from a suggestion.
const maxSuggestDistance = 4

// Learning is rate-limited, so that a crawler of a catch-all upstream
// cannot flush the known paths in a moment: learnBurst at once, then
// learnPerSecond.
const (
	learnBurst     = 100
	learnPerSecond = 10
)

// Known is the set of paths the site is known to serve: those the upstream
// answered 2xx to a GET, and those of an imported sitemap. With
// --rewrite-404 the proxy answers the upstream's 404s itself, suggesting the
// nearest known path ("Did you mean …?").
//
// The sitemap's paths stay; learned ones are kept in a ring, the oldest
// giving way to a new one when the set is full.
type Known struct {
	mu      sync.RWMutex
	paths   map[string]struct{}
	pinned  []string // the sitemap's
	learned []string // a ring once full: oldest at next
	next    int
	// now and the token bucket rate-limit learning.
	now    func() time.Time
	tokens float64
	last   time.Time
}

// NewKnown returns an empty set.
func NewKnown() *Known {
	return &Known{paths: map[string]struct{}{}, now: time.Now, tokens: learnBurst}
}

// Add learns a normalized path the upstream served, unless it is too long
// or learning is past its rate.
func (k *Known) Add(path string) {
	if len(path) > MaxKnownPath {
		return
	}
	k.mu.RLock()
	_, ok := k.paths[path]
	k.mu.RUnlock()
	if ok {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.paths[path]; ok || !k.take() {
		return
	}
	room := MaxKnown - len(k.pinned)
	switch {
	case room <= 0:
		return
	case len(k.learned) < room:
		k.learned = append(k.learned, path)
	default:
		delete(k.paths, k.learned[k.next])
		k.learned[k.next] = path
		k.next = (k.next + 1) % len(k.learned)
	}
	k.paths[path] = struct{}{}
}

// take spends one learning token, if there is one; k.mu is held.
func (k *Known) take() bool {
	now := k.now()
	if !k.last.IsZero() {
		k.tokens = min(learnBurst, k.tokens+now.Sub(k.last).Seconds()*learnPerSecond)
	}
	k.last = now
	if k.tokens < 1 {
		return false
	}
	k.tokens--
	return true
}

// pin remembers a sitemap's path for good, while there is room.
func (k *Known) pin(path string) {
	if len(path) > MaxKnownPath {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.paths[path]; ok || len(k.pinned)+len(k.learned) >= MaxKnown {
		return
	}
	k.paths[path] = struct{}{}
	k.pinned = append(k.pinned, path)
}

// Len is how many paths are known.
func (k *Known) Len() int {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return len(k.pinned) + len(k.learned)
}

// Suggest returns the known path nearest to path by edit distance (at most
// maxSuggestDistance edits), or "", within MaxSuggestCells of work.
func (k *Known) Suggest(path string) string {
	return k.SuggestContext(context.Background(), path)
}

// SuggestContext is Suggest that also stops when ctx ends: a 404's
// suggestion, given up when its request is.
func (k *Known) SuggestContext(ctx context.Context, path string) string {
	best, _ := k.suggest(ctx, path)
	return best
}

// suggest is Suggest, also saying how many cells it computed. Candidates
// that share path's first segment are compared first, then the others;
// only those within the distance in length are compared at all.
func (k *Known) suggest(ctx context.Context, path string) (string, int) {
	if len(path) > MaxKnownPath {
		return "", 0
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	budget := editdist.NewBudget(MaxSuggestCells)
	best, bestDist := "", maxSuggestDistance+1
	first := firstSegment(path)
	n := 0
	for _, sameFirst := range []bool{true, false} {
		for _, list := range [][]string{k.pinned, k.learned} {
			for _, c := range list {
				if c == path || abs(len(c)-len(path)) >= bestDist || (firstSegment(c) == first) != sameFirst {
					continue
				}
				if n%64 == 0 && ctx.Err() != nil {
					return best, budget.Used()
				}
				n++
				d, ok := budget.Within(path, c, bestDist)
				if !ok {
					return best, budget.Used()
				}
				if d < bestDist {
					best, bestDist = c, d
				}
			}
		}
	}
	return best, budget.Used()
}

// firstSegment is "/a" of "/a/b", and the whole of "/a".
func firstSegment(p string) string {
	if i := strings.IndexByte(p[min(1, len(p)):], '/'); i >= 0 {
		return p[:i+1]
	}
	return p
}

// ReadSitemap adds the paths of a sitemap.xml's <loc> URLs (or, for a
// sitemap index, of the sitemaps it lists: those are not fetched). It
// returns how many it read.
func (k *Known) ReadSitemap(r io.Reader) (int, error) {
	dec := xml.NewDecoder(r)
	n := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("sitemap: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "loc" {
			continue
		}
		var loc string
		if err := dec.DecodeElement(&loc, &se); err != nil {
			return n, fmt.Errorf("sitemap: %w", err)
		}
		u, err := url.Parse(strings.TrimSpace(loc))
		if err != nil {
			continue
		}
		p, err := gone.NormalizePath(u.EscapedPath())
		if err != nil {
			continue
		}
		k.pin(p)
		n++
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
