package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// notModified evaluates If-None-Match, or If-Modified-Since when there is no
// If-None-Match (RFC 9110 §13.2.2).
func notModified(r *http.Request, rec *gone.Record) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatch(inm, rec.ETag(), true)
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !rec.UpdatedAt.Truncate(time.Second).After(t)
	}
	return false
}

// etagMatch reports whether the list header matches etag. If-None-Match
// compares weakly (a W/ prefix is ignored); If-Match compares strongly.
func etagMatch(header, etag string, weak bool) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		if weak {
			t = strings.TrimPrefix(t, "W/")
		}
		if t == etag {
			return true
		}
	}
	return false
}
