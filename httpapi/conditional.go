package httpapi

import (
	"net/http"
	"time"

	"github.com/gonehttp/gone"
)

// conditionalHeaders make a request conditional (RFC 9110 §13.1): its
// answer is not the plain request's, so a kept answer never serves one
// (memoizable).
var conditionalHeaders = [...]string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range"}

// notModified evaluates If-None-Match, or If-Modified-Since when there is no
// If-None-Match (RFC 9110 §13.2.2).
func notModified(r *http.Request, rec *gone.Record) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return gone.ETagMatch(inm, rec.ETag(), true)
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !rec.UpdatedAt.Truncate(time.Second).After(t)
	}
	return false
}

// preconditions reads a write's conditional headers for the Service, which
// evaluates them in the write's transaction (see gone.Preconditions). An
// unparsable If-Unmodified-Since is ignored, as RFC 9110 §13.1.4 says.
func preconditions(r *http.Request) gone.Preconditions {
	pre := gone.Preconditions{IfMatch: r.Header.Get("If-Match"), IfNoneMatch: r.Header.Get("If-None-Match")}
	if ius := r.Header.Get("If-Unmodified-Since"); ius != "" {
		if t, err := http.ParseTime(ius); err == nil {
			pre.IfUnmodifiedSince = t
		}
	}
	return pre
}
