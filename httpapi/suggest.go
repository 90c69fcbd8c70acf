package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/internal/editdist"
)

// maxSuggestDistance is how many single-character edits a mistyped path may
// be from a suggestion: enough for "usres" → "users" or a missing "/api".
const maxSuggestDistance = 4

// maxSuggestPath and maxSuggestCells bound the work of one suggestion, which
// any caller can ask for with a 404: no suggestion for a longer path, and
// at most maxSuggestCells cells of the edit distance tables over every
// candidate together (the candidates are the GET routes times the
// collections, so a config with thousands of collections would otherwise
// cost a request milliseconds each).
const (
	maxSuggestPath  = 256
	maxSuggestCells = 100_000
)

// handleUnknownRoute answers paths that match no route.
// A path that a route knows under other methods gets 405 with Allow (RFC
// 9110 §15.5.6) instead: the catch-all "/" pattern keeps the mux from
// answering that itself.
func (s *server) handleUnknownRoute() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if answer.IsPreflight(r) {
			// So a page can read the 404 (and its suggestion) that follows.
			s.preflight(w, r)
			return
		}
		if allow := s.allowed(r.URL.Path); len(allow) > 0 {
			lng := answer.Language(r)
			w.Header().Set("Allow", strings.Join(allow, ", "))
			answer.Write(w, lng, s.newProblem(r, lng, http.StatusMethodNotAllowed,
				"This endpoint does not support "+r.Method+"; it supports "+strings.Join(allow, ", ")+"."))
			return
		}
		s.ruleOr(w, r, func(w http.ResponseWriter, r *http.Request) { s.routeNotFound(w, r, "") })
	})
}

// ruleOr answers r, a path no route serves, from serve's path rules as
// gone proxy would (410, 308, 503), or with notFound when no rule answers
// it. The rules' own normalization comes first, as on the proxy and in the
// middleware: every spelling of a retired path is answered alike, and one
// gone cannot read is a 400.
func (s *server) ruleOr(w http.ResponseWriter, r *http.Request, notFound http.HandlerFunc) {
	if s.rules == nil {
		notFound(w, r)
		return
	}
	r2, ok := s.rules.Normalize(w, r)
	if !ok {
		return
	}
	s.rules.Serve(w, r2, notFound)
}

// allowed lists the methods of the routes whose pattern matches path.
func (s *server) allowed(path string) []string {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var methods []string
	for _, rt := range s.routes {
		if strings.HasSuffix(rt.pattern, "{$}") {
			// An exact-match route ("/{$}"): only its own path.
			if path == strings.TrimSuffix(rt.pattern, "{$}") && !slices.Contains(methods, rt.method) {
				methods = append(methods, rt.method)
				if rt.method == http.MethodGet {
					methods = append(methods, http.MethodHead)
				}
			}
			continue
		}
		parts := strings.Split(strings.TrimPrefix(rt.pattern, "/"), "/")
		// A pattern ending in "/" (the console's) holds its whole subtree.
		subtree := strings.HasSuffix(rt.pattern, "/") && strings.HasPrefix(path, rt.pattern)
		if len(parts) != len(segs) && !subtree {
			continue
		}
		match := true
		if subtree {
			parts = nil
		}
		for i, p := range parts {
			if segs[i] == "" || !strings.HasPrefix(p, "{") && p != segs[i] {
				match = false
				break
			}
		}
		if match && !slices.Contains(methods, rt.method) {
			methods = append(methods, rt.method)
			if rt.method == http.MethodGet {
				methods = append(methods, http.MethodHead)
			}
		}
	}
	return methods
}

// routeNotFound answers 404 for an endpoint that does not exist, suggesting
// the closest real one: want when the caller knows it, otherwise the nearest
// route by edit distance over the route table and collection names.
func (s *server) routeNotFound(w http.ResponseWriter, r *http.Request, want string) {
	if _, explained := w.(*recorder); !explained {
		// Every unknown route comes here; explain's rehearsal of one
		// (a *recorder) is an admin's question, not a miss.
		s.recordMiss(r)
	}
	lng := answer.Language(r)
	if want == "" {
		want = s.suggest(r.Context(), r.URL.Path, false)
	} else {
		// A cleaned path is suggested as is only when it is a real route.
		want = s.suggest(r.Context(), want, true)
	}
	msg := answer.Text(lng, answer.MsgRouteNotFound)
	if want != "" {
		msg = fmt.Sprintf(answer.Text(lng, answer.MsgRouteSuggest), want)
	}
	p := s.newProblem(r, lng, http.StatusNotFound, msg)
	p.Suggestion = want
	w.Header()["Cache-Control"] = answer.MaxAge(gone.DefaultNotFoundMaxAge)
	answer.Write(w, lng, p)
}

// suggest returns the route closest to path, or "". Path parameters take the
// caller's own segments: it never suggests an id the caller did not type.
// With exact, path itself is a valid answer.
func (s *server) suggest(ctx context.Context, path string, exact bool) string {
	best, _ := s.suggestCounted(ctx, path, exact)
	return best
}

// suggestCounted is suggest, also saying how many cells it computed; it
// stops at maxSuggestCells or when ctx ends, with the nearest route so far.
func (s *server) suggestCounted(ctx context.Context, path string, exact bool) (string, int) {
	if len(path) > maxSuggestPath {
		return "", 0
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	last := segs[len(segs)-1]
	best, bestDist := "", maxSuggestDistance+1
	budget := editdist.NewBudget(maxSuggestCells)
	cands := s.candidates(segs, last)
	if exact && slices.Contains(cands, path) {
		return path, 0
	}
	for i, c := range cands {
		if c == path {
			continue
		}
		if i%64 == 0 && ctx.Err() != nil {
			break
		}
		d, ok := budget.Within(path, c, bestDist)
		if !ok {
			break
		}
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best, budget.Used()
}

// candidates instantiates every GET route pattern with the configured
// collection names and the caller's segments.
func (s *server) candidates(segs []string, last string) []string {
	var out []string
	for _, rt := range s.routes {
		if rt.method != http.MethodGet || strings.Contains(rt.pattern, "{name}") || strings.Contains(rt.pattern, "{$}") {
			continue
		}
		parts := strings.Split(strings.Trim(rt.pattern, "/"), "/")
		fill := func(coll string) string {
			b := make([]string, len(parts))
			for i, p := range parts {
				switch p {
				case "{collection}":
					b[i] = coll
				case "{id}":
					// The id keeps its position when the shapes agree, else
					// it is the caller's last segment.
					if len(segs) == len(parts) {
						b[i] = segs[i]
					} else {
						b[i] = last
					}
				default:
					b[i] = p
				}
			}
			return "/" + strings.Join(b, "/")
		}
		if !strings.Contains(rt.pattern, "{collection}") {
			out = append(out, fill(""))
			continue
		}
		for _, name := range s.collections {
			out = append(out, fill(name))
		}
	}
	return out
}
