package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gonehttp/gone"
)

// corsExposed are the response headers a page may read beyond the
// CORS-safelisted ones: what the seeds' clients need to act on 304, 308,
// 410 and 503 answers.
const corsExposed = "ETag, Retry-After, Location, Link, Sunset, Deprecation, Content-Language, Last-Modified, X-Request-Id"

// corsHeaders are the request headers a listed origin may send. Accept and
// Accept-Language are safelisted already, but a preflight may still name
// them.
var corsHeaders = []string{"authorization", "content-type", "if-match", "if-none-match",
	"if-modified-since", "accept", "accept-language", "last-event-id", "x-request-id"}

// isPreflight reports whether r is a CORS preflight (Fetch standard §3.2.2).
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}

// cors answers what a browser needs on actual requests: the allowed origin
// and the exposed headers. Preflights are answered by the OPTIONS routes
// (handleOptions) and the catch-all, so they stay in routes.go. With no
// origin configured it does nothing, and answers stay byte-identical to a
// server without CORS.
func (s *server) cors(next http.Handler) http.Handler {
	c := s.svc.Config.CORS
	if !c.Enabled() {
		return next
	}
	// With exact origins listed, whether ACAO is sent depends on Origin,
	// so every answer says so; a "*"-only server answers alike for all.
	varies := len(c.Origins) > 1 || !c.AllowsAny()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if varies {
			h.Add("Vary", "Origin")
		}
		if isPreflight(r) {
			next.ServeHTTP(w, r)
			return
		}
		origin := r.Header.Get("Origin")
		switch {
		case origin != "" && c.Listed(origin):
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", corsExposed)
		case c.AllowsAny() && anonymousRead(r):
			// "*" is never sent with credentials (the Fetch standard
			// refuses it anyway) and never to a caller with a token.
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Expose-Headers", corsExposed)
		}
		next.ServeHTTP(w, r)
	})
}

func anonymousRead(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.Header.Get("Authorization") == ""
}

// preflight answers a CORS preflight: 204 with the Access-Control-Allow-*
// headers when the origin may send the request it announces, 403 with a
// problem that says why otherwise.
func (s *server) preflight(w http.ResponseWriter, r *http.Request) {
	c := s.svc.Config.CORS
	h := w.Header()
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	var asked []string
	for _, f := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		if f = strings.ToLower(strings.TrimSpace(f)); f != "" {
			asked = append(asked, f)
		}
	}
	deny := func(format string, args ...any) {
		s.writeError(w, r, gone.Errorf(gone.EFORBIDDEN, format, args...))
	}
	listed := c.Listed(origin)
	switch {
	case !c.Enabled():
		deny("This server allows no cross-origin requests (set GONE_CORS_ORIGINS or cors.origins).")
		return
	case !listed && !c.AllowsAny():
		deny("The origin %s may not call this API from a browser.", origin)
		return
	case !listed && method != http.MethodGet && method != http.MethodHead:
		deny("Any origin may read anonymously; %s from %s needs that origin listed in cors.origins.", method, origin)
		return
	case listed && !slices.Contains(c.AllowedMethods(), method):
		deny("The method %s is not allowed from a browser; allowed: %s.", method, strings.Join(c.AllowedMethods(), ", "))
		return
	}
	for _, f := range asked {
		if !slices.Contains(corsHeaders, f) {
			deny("The request header %s is not allowed from a browser.", f)
			return
		}
		if f == "authorization" && !listed {
			deny("Any origin may read anonymously; a token from %s needs that origin listed in cors.origins.", origin)
			return
		}
	}
	maxAge := c.MaxAge
	if maxAge <= 0 {
		maxAge = gone.DefaultCORSMaxAge
	}
	if listed {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowedMethods(), ", "))
	} else {
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, HEAD")
	}
	if len(asked) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(asked, ", "))
	}
	h.Set("Access-Control-Max-Age", strconv.Itoa(int(maxAge.Seconds())))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// handleOptions answers OPTIONS on a route: a preflight is answered by
// preflight; a plain OPTIONS (RFC 9110 §9.3.7) lists the methods in Allow.
func (s *server) handleOptions() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(s.allowed(r.URL.Path)) == 0 {
			s.routeNotFound(w, r, "")
			return
		}
		if isPreflight(r) {
			s.preflight(w, r)
			return
		}
		w.Header().Set("Allow", strings.Join(s.allowed(r.URL.Path), ", "))
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	})
}
