package httpapi

import (
	"net/http"
	"strings"

	"github.com/gonehttp/gone/answer"
)

// cors answers what a browser needs on actual requests: the allowed origin
// and the exposed headers. Preflights are answered by the OPTIONS routes
// (handleOptions) and the catch-all, so they stay in routes.go. With no
// origin configured it does nothing, and answers stay byte-identical to a
// server without CORS.
func (s *server) cors(next http.Handler) http.Handler {
	p := s.corsPolicy
	if !p.Enabled() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Headers(w.Header(), r)
		next.ServeHTTP(w, r)
	})
}

// preflight answers a CORS preflight: 204 with the Access-Control-Allow-*
// headers when the origin may send the request it announces, 403 with a
// problem that says why otherwise.
func (s *server) preflight(w http.ResponseWriter, r *http.Request) {
	if err := s.corsPolicy.Preflight(w, r); err != nil {
		s.writeError(w, r, err)
	}
}

// handleOptions answers OPTIONS on a route: a preflight is answered by
// preflight; a plain OPTIONS (RFC 9110 §9.3.7) lists the methods in Allow.
func (s *server) handleOptions() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(s.allowed(r.URL.Path)) == 0 {
			s.routeNotFound(w, r, "")
			return
		}
		if answer.IsPreflight(r) {
			s.preflight(w, r)
			return
		}
		w.Header().Set("Allow", strings.Join(s.allowed(r.URL.Path), ", "))
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	})
}
