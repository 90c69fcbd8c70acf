package main

import (
	"flag"
	"net/url"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/httpapi"
)

// searchFlags are the sitemaps' settings, for serve and proxy alike.
type searchFlags struct {
	siteURL       *string
	removedWindow *string
}

func addSearchFlags(fs *flag.FlagSet, e env) searchFlags {
	return searchFlags{
		siteURL: fs.String("site-url", envOr(e, "GONE_SITE_URL", ""),
			"the site's public URL, e.g. https://example.com, that sitemaps name; the request's host when empty (env GONE_SITE_URL)"),
		removedWindow: fs.String("removed-window", envOr(e, "GONE_REMOVED_WINDOW", "30d"),
			"how long a retired path stays in /sitemap-removed.xml (env GONE_REMOVED_WINDOW)"),
	}
}

// settings checks the flags and returns them as the API takes them.
func (f searchFlags) settings() (httpapi.SitemapSettings, error) {
	st := httpapi.SitemapSettings{BaseURL: *f.siteURL}
	if st.BaseURL != "" {
		u, err := url.Parse(st.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return st, usageError("--site-url must be a site's root URL such as https://example.com, not %q", st.BaseURL)
		}
		st.BaseURL = u.Scheme + "://" + u.Host
	}
	d, err := gone.ParseDuration(*f.removedWindow)
	if err != nil || d <= 0 {
		return st, usageError("--removed-window must be a duration such as 30d or 72h, not %q", *f.removedWindow)
	}
	st.RemovedWindow = d
	return st, nil
}
