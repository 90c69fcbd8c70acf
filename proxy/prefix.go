package proxy

import (
	"net/http"
	"strings"
)

// prefixLocation puts the admin prefix in front of the root-relative
// Location headers of gone's API, which is served below the prefix with
// it stripped: a moved resource's 308 (/api/promotions/new) and the
// console's /admin → /admin/ would otherwise send the caller outside the
// prefix, to the upstream. Bodies are left as they are: their paths name
// resources in the API's own terms.
type prefixLocation struct {
	http.ResponseWriter
	prefix string // without its trailing slash
	done   bool
}

func (w *prefixLocation) fix() {
	if w.done {
		return
	}
	w.done = true
	h := w.ResponseWriter.Header()
	if loc := h.Get("Location"); strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") {
		h.Set("Location", w.prefix+loc)
	}
}

func (w *prefixLocation) WriteHeader(code int) {
	w.fix()
	w.ResponseWriter.WriteHeader(code)
}

func (w *prefixLocation) Write(b []byte) (int, error) {
	w.fix()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushes of
// the change stream).
func (w *prefixLocation) Unwrap() http.ResponseWriter { return w.ResponseWriter }
