// Package console is gone's admin console: static files (HTML, CSS and
// vanilla ES modules, no build step) embedded in the binary and served by
// httpapi at /admin/. It holds no logic of its own: every view reads and
// every action writes through the same HTTP API, with the same token checks.
package console

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed static
var static embed.FS

// Prefix is where the console is served.
const Prefix = "/admin/"

// ContentSecurityPolicy allows only the console's own files: no inline
// script or style, no other origin, no framing. Data from the API is
// inserted as text, so even a missed escape could not run.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// file is one embedded file, ready to serve.
type file struct {
	body []byte
	typ  string
	etag string
}

// Handler serves the console under Prefix. notFound answers paths that
// name no file.
func Handler(notFound http.Handler) http.Handler {
	files := map[string]file{}
	sub, _ := fs.Sub(static, "static")
	err := fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		typ := mime.TypeByExtension(path.Ext(p))
		if path.Ext(p) == ".js" {
			// Module scripts must carry a JavaScript type, whatever the
			// host's mime table says.
			typ = "text/javascript; charset=utf-8"
		}
		files[p] = file{body: b, typ: typ, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		panic("console: " + err.Error()) // the files are in the binary; a test reads them all
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, Prefix)
		if name == "" {
			name = "index.html"
		}
		f, ok := files[name]
		if !ok {
			notFound.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		SetSecurityHeaders(h)
		h.Set("Content-Type", f.typ)
		h.Set("ETag", f.etag)
		// The files change only with the binary: revalidate, then 304.
		h.Set("Cache-Control", "no-cache")
		if inm := r.Header.Get("If-None-Match"); inm != "" && inm == f.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(f.body)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(f.body)
		}
	})
}

// SetSecurityHeaders sets the headers every console answer carries.
func SetSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}
