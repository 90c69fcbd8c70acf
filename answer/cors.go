package answer

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

// IsPreflight reports whether r is a CORS preflight (Fetch standard §3.2.2).
func IsPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}

// CORS is a CORSPolicy as HTTP headers: every
// front door (the API, the proxy's rule answers and its 502/504 problems,
// the middleware) follows this one policy.
type CORS struct {
	c CORSPolicy
	// varies: with exact origins listed, whether ACAO is sent depends on
	// Origin, so every answer says so; a "*"-only server answers alike
	// for all.
	varies bool
}

// NewCORS returns the policy of c.
func NewCORS(c CORSPolicy) CORS {
	return CORS{c: c, varies: len(c.Origins) > 1 || !c.AllowsAny()}
}

// Enabled reports whether any origin is allowed; when not, Headers does
// nothing and answers stay as they were without CORS.
func (p CORS) Enabled() bool { return p.c.Enabled() }

// Headers sets what an actual (not preflight) answer to r carries: Vary:
// Origin, and the allowed origin with the exposed headers when r's origin
// may read it.
func (p CORS) Headers(h http.Header, r *http.Request) {
	if !p.c.Enabled() {
		return
	}
	if p.varies {
		h.Add("Vary", "Origin")
	}
	if IsPreflight(r) {
		return
	}
	origin := r.Header.Get("Origin")
	switch {
	case origin != "" && p.c.Listed(origin):
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", corsExposed)
	case p.c.AllowsAny() && anonymousRead(r):
		// "*" is never sent with credentials (the Fetch standard
		// refuses it anyway) and never to a caller with a token.
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", corsExposed)
	}
}

func anonymousRead(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.Header.Get("Authorization") == ""
}

// Preflight answers the CORS preflight r: 204 with the
// Access-Control-Allow-* headers when the origin may send the request it
// announces. Otherwise it writes nothing and returns the *gone.Error
// (EFORBIDDEN) that says why, for the caller to answer as its 403 problem.
func (p CORS) Preflight(w http.ResponseWriter, r *http.Request) error {
	c := p.c
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
	deny := gone.Errorf
	listed := c.Listed(origin)
	switch {
	case !c.Enabled():
		return deny(gone.EFORBIDDEN, "This server allows no cross-origin requests (set GONE_CORS_ORIGINS or cors.origins).")
	case !listed && !c.AllowsAny():
		return deny(gone.EFORBIDDEN, "The origin %s may not call this API from a browser.", origin)
	case !listed && method != http.MethodGet && method != http.MethodHead:
		return deny(gone.EFORBIDDEN, "Any origin may read anonymously; %s from %s needs that origin listed in cors.origins.", method, origin)
	case listed && !slices.Contains(c.AllowedMethods(), method):
		return deny(gone.EFORBIDDEN, "The method %s is not allowed from a browser; allowed: %s.", method, strings.Join(c.AllowedMethods(), ", "))
	}
	for _, f := range asked {
		if !slices.Contains(corsHeaders, f) {
			return deny(gone.EFORBIDDEN, "The request header %s is not allowed from a browser.", f)
		}
		if f == "authorization" && !listed {
			return deny(gone.EFORBIDDEN, "Any origin may read anonymously; a token from %s needs that origin listed in cors.origins.", origin)
		}
	}
	maxAge := c.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultCORSMaxAge
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
	return nil
}
