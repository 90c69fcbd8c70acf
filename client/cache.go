package client

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// memory is everything the client remembers between calls, keyed by
// resource path ("/api/users/123"):
//   - fresh: 200 representations with their validators, revalidated on
//     every read because gone marks live resources no-cache;
//   - missing: 404 answers, until the server's max-age runs out;
//   - gone: 410 answers, for good (an id that answered 410 answers 410
//     forever, docs/design.md, invariant 1);
//   - moved: where a 301 or 308 said a path now lives.
//
// Each is a bounded LRU, so a client that reads millions of ids keeps a
// fixed amount of memory.
type memory struct {
	mu      sync.Mutex
	fresh   *lru[*cached]
	missing *lru[*negative]
	gone    *lru[*Error]
	moved   *lru[string]
}

// cached is a stored 200 answer.
type cached struct {
	body         []byte
	etag         string
	lastModified string
}

// negative is a stored 404 answer and when it stops being fresh.
type negative struct {
	err     *Error
	expires time.Time
}

func newMemory(entries, goneEntries int) *memory {
	return &memory{
		fresh: newLRU[*cached](entries), missing: newLRU[*negative](entries),
		gone: newLRU[*Error](goneEntries), moved: newLRU[string](entries),
	}
}

// maxMoves bounds how far a chain of remembered moves is followed, so a
// loop (a moved to b, b moved back to a) cannot hang a read.
const maxMoves = 10

// resolve follows remembered moves from path.
func (m *memory) resolve(path string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	for range maxMoves {
		next, ok := m.moved.get(path)
		if !ok {
			break
		}
		path = next
	}
	return path
}

// local returns the answer the client may give without a request: a
// remembered 410, or a 404 whose max-age has not run out.
func (m *memory) local(path string, now time.Time) *Error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.gone.get(path); ok {
		c := e.clone()
		c.Local = true
		return c
	}
	if n, ok := m.missing.get(path); ok {
		if now.Before(n.expires) {
			c := n.err.clone()
			c.Local = true
			return c
		}
		m.missing.remove(path)
	}
	return nil
}

func (m *memory) cached(path string) *cached {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, _ := m.fresh.get(path)
	return c
}

func (m *memory) store(path string, c *cached) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fresh.put(path, c)
	m.missing.remove(path)
}

// forgetMissing drops a stored 404, when the path answered anything else.
func (m *memory) forgetMissing(path string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.missing.remove(path)
}

func (m *memory) storeMissing(path string, e *Error, until time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fresh.remove(path)
	m.missing.put(path, &negative{e.clone(), until})
}

// storeGone remembers path as gone and purges everything else known about
// it: the representation and its validators must never be served again.
// It reports whether path is news, so OnGone hears of an id once however
// the client learns of it (a 410, the change feed, or both).
func (m *memory) storeGone(path string, e *Error) (news bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fresh.remove(path)
	m.missing.remove(path)
	m.moved.remove(path)
	_, known := m.gone.get(path)
	m.gone.put(path, e.clone())
	return !known
}

func (m *memory) storeMove(from, to string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fresh.remove(from)
	m.missing.remove(from)
	m.moved.put(from, to)
}

// purge drops the representation and any stored 404 of path, when the
// change feed says the id stopped answering 200.
func (m *memory) purge(path string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fresh.remove(path)
	m.missing.remove(path)
}

// invalidate forgets everything about path, after the client wrote to it.
// forgetMove drops a remembered move of path.
func (m *memory) forgetMove(path string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.moved.remove(path)
}

func (m *memory) invalidate(path string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fresh.remove(path)
	m.missing.remove(path)
	m.gone.remove(path)
	m.moved.remove(path)
}

// cacheControl reads the directives the client acts on.
type cacheControl struct {
	noStore bool
	maxAge  time.Duration
	hasAge  bool
}

func parseCacheControl(h http.Header) cacheControl {
	var cc cacheControl
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(name) {
			case "no-store":
				cc.noStore = true
			case "max-age":
				if n, err := strconv.Atoi(strings.Trim(val, `"`)); err == nil && n >= 0 {
					cc.maxAge, cc.hasAge = time.Duration(n)*time.Second, true
				}
			}
		}
	}
	return cc
}

// freshFor is how long a 404 may be reused: the server's max-age less the
// Age a shared cache already spent, and never longer. No max-age, or
// no-store, means it is not reused at all.
func freshFor(h http.Header) time.Duration {
	cc := parseCacheControl(h)
	if cc.noStore || !cc.hasAge {
		return 0
	}
	d := cc.maxAge
	if age, err := strconv.Atoi(h.Get("Age")); err == nil && age > 0 {
		d -= time.Duration(age) * time.Second
	}
	return max(d, 0)
}
