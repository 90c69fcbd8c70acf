package proxy

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/internal/editdist"
)

// MaxKnown bounds how many paths Known remembers: at most MaxKnown paths of
// at most gone.MaxPathLength bytes, about 20 MiB in the worst case. Past
// it, new paths are not learned (the sitemap's and the first ones seen stay).
const MaxKnown = 10_000

// maxSuggestDistance is how many single-byte edits a mistyped path may be
// from a suggestion.
const maxSuggestDistance = 4

// Known is the set of paths the site is known to serve: those the upstream
// answered 2xx to a GET, and those of an imported sitemap. With
// --rewrite-404 the proxy answers the upstream's 404s itself, suggesting the
// nearest known path ("Did you mean …?").
type Known struct {
	mu    sync.RWMutex
	paths map[string]struct{}
	list  []string
}

// NewKnown returns an empty set.
func NewKnown() *Known { return &Known{paths: map[string]struct{}{}} }

// Add remembers a normalized path, unless the set is full.
func (k *Known) Add(path string) {
	k.mu.RLock()
	_, ok := k.paths[path]
	full := len(k.list) >= MaxKnown
	k.mu.RUnlock()
	if ok || full {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.paths[path]; !ok && len(k.list) < MaxKnown {
		k.paths[path] = struct{}{}
		k.list = append(k.list, path)
	}
}

// Len is how many paths are known.
func (k *Known) Len() int {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return len(k.list)
}

// Suggest returns the known path nearest to path by edit distance (at most
// maxSuggestDistance edits), or "".
func (k *Known) Suggest(path string) string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	best, bestDist := "", maxSuggestDistance+1
	for _, c := range k.list {
		if c == path || abs(len(c)-len(path)) >= bestDist {
			continue
		}
		if d := editdist.Within(path, c, bestDist); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
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
		k.Add(p)
		n++
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
