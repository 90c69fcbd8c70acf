package proxy

import (
	"net/http"

	"github.com/gonehttp/gone/answer"
)

// limitUpstream lets at most n requests be at the upstream at once and
// answers the others at once with 503 and Retry-After, rather than
// queueing them: a queue would hold the caller's connection for as long
// as the slowest request ahead of it, which is the exhaustion the cap is
// there to stop.
func (p *proxy) limitUpstream(n int, next http.Handler) http.Handler {
	slots := make(chan struct{}, n)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
		default:
			p.cfg.Log.WarnContext(r.Context(), "upstream busy: request refused", "path", r.URL.Path, "max", n)
			w.Header().Set("Retry-After", "5")
			p.cfg.Rules.WriteProblem(w, r, http.StatusServiceUnavailable, answer.MsgUpstreamBusy)
			return
		}
		defer func() { <-slots }()
		next.ServeHTTP(w, r)
	})
}
