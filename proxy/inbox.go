package proxy

import (
	"net/http"
)

// recordMiss tells Config.Misses about a path the upstream answered 404
// (whether the proxy passes that 404 on or, with Rewrite404, answers it
// itself). req is the request sent upstream: its path is the one the rules
// were matched against, below the upstream's base path, and it carries the
// caller's Referer and User-Agent.
func (p *proxy) recordMiss(req *http.Request) {
	if p.cfg.Misses == nil || req.Method != http.MethodGet && req.Method != http.MethodHead {
		return
	}
	p.cfg.Misses.RecordMiss(p.clientPath(req), req.Header.Get("Referer"), req.Header.Get("User-Agent"))
}
