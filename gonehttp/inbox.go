package gonehttp

import (
	"net/http"

	"github.com/gonehttp/gone"
)

// WithMisses tells m (the 404 inbox's inbox.Recorder) about every path
// NotFound answers 404 to a GET or HEAD because no rule knows it.
// RecordMiss must not block: it runs on the request's path.
func WithMisses(m gone.MissRecorder) Option { return func(r *Rules) { r.misses = m } }

// recordMiss tells the inbox about an unknown path. Only GET and HEAD
// count: they are what links and crawlers ask for, and what a rule
// answers.
func (rs *Rules) recordMiss(r *http.Request, path string) {
	if rs.misses == nil || r.Method != http.MethodGet && r.Method != http.MethodHead {
		return
	}
	rs.misses.RecordMiss(path, r.Header.Get("Referer"), r.Header.Get("User-Agent"))
}
