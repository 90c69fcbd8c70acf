package httpapi

import (
	"net/http"
	"strings"

	"github.com/gonehttp/gone/answer"
)

// sharedCacheSafe keeps every answer from leaking through a shared cache
// (a CDN, nginx proxy_cache, Varnish) to another caller (RFC 9111 §3.5,
// §5.2.2.7):
//
//   - Every answer carries Vary: Authorization. What gone answers depends on
//     the credentials (a concealed id is 404 to the public and 410 to an
//     admin; a private collection is 401 without a token; a wrong token is
//     always 401), so a cache must key its entries by them.
//   - An answer to a request that carries credentials is private: a shared
//     cache must not store it at all. Its own lifetime (max-age) still holds
//     for the caller's private cache. An answer with no Cache-Control
//     becomes "private, no-store".
//
// It rewrites the headers once, just before the status is sent, so every
// handler and every status (401, 403, 404, 410, listings, 500s) is covered
// without each handler having to remember.
func (s *server) sharedCacheSafe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &cacheWriter{ResponseWriter: w, private: r.Header.Get("Authorization") != ""}
		next.ServeHTTP(cw, r)
		cw.fix() // a handler that wrote nothing: net/http sends the headers now
	})
}

// cacheWriter applies sharedCacheSafe's rule to the headers of the first
// WriteHeader or Write.
type cacheWriter struct {
	http.ResponseWriter
	private bool
	done    bool
}

func (w *cacheWriter) fix() {
	if w.done {
		return
	}
	w.done = true
	h := w.ResponseWriter.Header()
	h["Vary"] = answer.AppendHeader(h["Vary"], answer.VaryAuthorization)
	if w.private {
		h.Set("Cache-Control", privateCacheControl(h.Get("Cache-Control")))
	}
}

// privateCacheControl turns a Cache-Control value into one that no shared
// cache may store: "private" in front, and no directive that would let a
// shared cache keep it anyway (public, s-maxage).
func privateCacheControl(cc string) string {
	if cc == "" {
		return "private, no-store"
	}
	out := []string{"private"}
	for _, d := range strings.Split(cc, ",") {
		d = strings.TrimSpace(d)
		name, _, _ := strings.Cut(strings.ToLower(d), "=")
		switch name {
		case "", "private", "public", "s-maxage", "proxy-revalidate":
			continue
		}
		out = append(out, d)
	}
	return strings.Join(out, ", ")
}

func (w *cacheWriter) WriteHeader(code int) {
	w.fix()
	w.ResponseWriter.WriteHeader(code)
}

func (w *cacheWriter) Write(b []byte) (int, error) {
	w.fix()
	return w.ResponseWriter.Write(b)
}

func (w *cacheWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
