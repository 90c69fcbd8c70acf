package httpapi

import (
	"context"
	"net/http"
	"path"
	"strings"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/console"
	"github.com/gonehttp/gone/edge"
)

// reqInfo is what the API learns about one request on its way in, beside
// what the edge keeps (edge.Info: the request id, the route, the caller's
// name for the log). It is one context value, made by the API's outermost
// layer (keep) and filled in by inner ones.
type reqInfo struct {
	caller gone.Caller
	// memo is set while keep waits to learn whether this read's answer
	// may be kept (see noteMemo).
	memo *pendingMemo
}

type reqInfoKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	if i, ok := ctx.Value(reqInfoKey{}).(*reqInfo); ok {
		return i
	}
	return &reqInfo{}
}

// requestID is the request's id, which the edge gave it.
func requestID(ctx context.Context) string { return edge.InfoOf(ctx).ID }

func callerFrom(ctx context.Context) gone.Caller { return infoFrom(ctx).caller }

// notePattern records the route pattern the mux matched, for the edge's
// log line and counts.
func notePattern(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if r.Pattern != "" {
				edge.InfoOf(r.Context()).Route = r.Pattern
			}
		}()
		mux.ServeHTTP(w, r)
	})
}

// cleanPaths answers non-canonical paths (dot segments, double or trailing
// slashes) with a 404 that suggests the clean path, where the standard mux
// would redirect: a redirect turns a DELETE or POST into something else, and
// an id must never be reached by two paths.
func (s *server) cleanPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		// The console's root is a directory: its trailing slash is what
		// makes the pages' relative links resolve under it.
		if p == "/" || p == "" || p == console.Prefix {
			next.ServeHTTP(w, r)
			return
		}
		if s.rules != nil && p != s.prefix && !strings.HasPrefix(p, s.prefix+"/") {
			// Outside the API, a non-canonical path may spell one a rule
			// answers: the rules read it as the proxy does. (An encoded
			// spelling that is otherwise clean reaches the mux, and the
			// unknown route's handler asks the rules the same way.)
			if clean := path.Clean(p); clean != p {
				s.ruleOr(w, r, func(w http.ResponseWriter, r *http.Request) { s.routeNotFound(w, r, clean) })
				return
			}
		}
		if strings.Contains(strings.ToUpper(r.URL.RawPath), "%2F") {
			// An encoded slash is never part of an id (see gone.ValidID),
			// so what the caller meant is the path with real slashes:
			// /api/users%2F42 suggests /api/users/42.
			s.routeNotFound(w, r, p)
			return
		}
		if clean := path.Clean(p); clean != p {
			s.routeNotFound(w, r, clean)
			return
		}
		next.ServeHTTP(w, r)
	})
}
