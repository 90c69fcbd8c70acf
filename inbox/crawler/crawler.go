// Package crawler tells crawlers from people by their User-Agent, with
// github.com/x-way/crawlerdetect: the Go port of JayBizzle's Crawler-Detect,
// whose pattern list (about 1,500 crawlers, with exclusions for the
// browser tokens that would otherwise match) is kept up to date by its
// maintainers and regenerated into the Go package, so gone carries no list
// of its own.
//
// It is its own package so that the packages people embed (gonehttp,
// proxy, httpapi) do not depend on the pattern list: only the program that
// counts misses does.
package crawler

import (
	"sync"

	"github.com/x-way/crawlerdetect"
)

// cacheMax bounds the remembered answers; past it, answers are computed
// each time. Only user agents up to cacheKeyMax bytes are remembered, so
// the cache holds at most cacheMax×cacheKeyMax bytes of keys (1 MiB).
const (
	cacheMax    = 4096
	cacheKeyMax = 256
)

// Detector answers IsCrawler, remembering the answers for the user agents
// it saw (a site sees a few thousand distinct ones; the regular expression
// costs tens of microseconds).
type Detector struct {
	mu    sync.Mutex
	cache map[string]bool
}

// New returns a Detector.
func New() *Detector { return &Detector{cache: map[string]bool{}} }

// IsCrawler reports whether userAgent is a crawler's. An empty user agent
// is a crawler's: browsers always send one.
func (d *Detector) IsCrawler(userAgent string) bool {
	if userAgent == "" {
		return true
	}
	d.mu.Lock()
	v, ok := d.cache[userAgent]
	d.mu.Unlock()
	if ok {
		return v
	}
	v = crawlerdetect.IsCrawler(userAgent)
	if len(userAgent) <= cacheKeyMax {
		d.mu.Lock()
		if len(d.cache) < cacheMax {
			d.cache[userAgent] = v
		}
		d.mu.Unlock()
	}
	return v
}
