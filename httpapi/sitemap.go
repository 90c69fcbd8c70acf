package httpapi

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/sitemap"
)

// SitemapSettings tune /sitemap.xml and /sitemap-removed.xml.
type SitemapSettings struct {
	// BaseURL is the site's public URL ("https://example.com"), which
	// sitemaps must name in full; by default, the request's own host.
	BaseURL string
	// RemovedWindow is how long a retired path stays in
	// /sitemap-removed.xml (default 30 days).
	RemovedWindow time.Duration
	// PerFile is how many URLs one sitemap file lists before
	// /sitemap.xml becomes an index (default and most 50,000).
	PerFile int
}

// WithSitemaps sets the sitemaps' settings.
func WithSitemaps(st SitemapSettings) Option {
	return func(s *server) { s.sitemaps = st }
}

// handleSitemap lists the live resources of the public collections:
// one file, or past PerFile URLs an index of ?page=1…n.
func (s *server) handleSitemap() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		per := s.sitemaps.PerFile
		if per <= 0 || per > sitemap.MaxURLs {
			per = sitemap.MaxURLs
		}
		page := 0
		if v := r.URL.Query().Get("page"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				s.writeError(w, r, &gone.Error{Code: gone.EINVALID, Message: "page must be a whole number from 1.",
					Fields: map[string]string{"page": "must be 1 or more"}})
				return
			}
			page = n - 1
		}
		now := s.svc.Now()
		entries, total, err := s.sitemapMemo.Get("live:"+strconv.Itoa(page), now, func() ([]sitemap.Entry, int, error) {
			return sitemap.Live(r.Context(), s.svc.Scan, s.svc.Config(), s.resourcePath, now, page, per)
		})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		base := sitemap.Base(r, s.sitemaps.BaseURL)
		var b bytes.Buffer
		switch {
		case r.URL.Query().Has("page") && page*per >= max(total, 1):
			s.writeError(w, r, gone.Errorf(gone.ENOTFOUND, "The sitemap has %d pages.", (total+per-1)/per))
			return
		case !r.URL.Query().Has("page") && total > per:
			var files []sitemap.Entry
			for i := 1; (i-1)*per < total; i++ {
				files = append(files, sitemap.Entry{Path: "/sitemap.xml?page=" + strconv.Itoa(i)})
			}
			err = sitemap.WriteIndex(&b, base, files)
		default:
			err = sitemap.WriteURLSet(&b, base, entries)
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		sitemap.Serve(w, r, b.Bytes())
	})
}

// handleRemovedSitemap lists the resources of the public collections
// retired within the window, with lastmod the retirement.
func (s *server) handleRemovedSitemap() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		window := s.sitemaps.RemovedWindow
		if window <= 0 {
			window = sitemap.DefaultRemovedWindow
		}
		now := s.svc.Now()
		entries, _, err := s.sitemapMemo.Get("removed", now, func() ([]sitemap.Entry, int, error) {
			e, err := sitemap.Removed(r.Context(), s.svc.Scan, s.svc.Config(), sitemap.Public(s.svc.Config()), s.resourcePath, now, window)
			return e, len(e), err
		})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		var b bytes.Buffer
		if err := sitemap.WriteURLSet(&b, sitemap.Base(r, s.sitemaps.BaseURL), entries); err != nil {
			s.writeError(w, r, err)
			return
		}
		sitemap.Serve(w, r, b.Bytes())
	})
}
