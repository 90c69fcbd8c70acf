package gonehttp

import (
	"net/http"
	"strings"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/edge"
)

// Handler answers the paths rules has a rule for, and the documentation of
// the problem types its answers name, and passes every other request to
// next, with its path normalized (gone.NormalizePath): next sees
// exactly the path the rules were matched against, so no spelling of a
// retired path reaches it. A path that cannot be normalized (an encoded
// slash, NUL, a malformed escape) is answered 400 and reaches nobody.
//
// Answers are for the public: the Authorization header of the traffic
// belongs to next, and gone never reads it here.
func Handler(next http.Handler, rules *Rules) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TransferEncoding) > 0 {
			// Without edge.Serve in front, net/http reads a request with
			// both Content-Length and Transfer-Encoding as chunked and
			// keeps the connection: closing it after this answer means
			// nothing a front proxy took for this body is ever served.
			w.Header().Set("Connection", "close")
		}
		// What edge.Serve refuses before any handler, refused here too
		// for a service that does not serve through it: one edge.
		if status, detail := edge.Check(w, r); status != 0 {
			rules.writeProblem(w, r, status, detail)
			return
		}
		r, ok := rules.Normalize(w, r)
		if !ok {
			return
		}
		if rules.serveDoc(w, r) {
			return
		}
		rules.Serve(w, r, next)
	})
}

// serveDoc answers a GET or HEAD of a problem type the answers name
// (WithProblemBase, /problems/ by default) with its documentation, so
// that every type the middleware sends resolves where it was sent; only
// the names gone documents, so the service's other paths there stay its
// own.
func (rs *Rules) serveDoc(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	name, ok := strings.CutPrefix(r.URL.Path, rs.problemBase)
	return ok && answer.WriteDoc(w, name)
}

// Normalize returns r with its path in gone's canonical form (r itself
// when it already is), or answers 400 and returns false.
func (rs *Rules) Normalize(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	esc := r.URL.EscapedPath()
	norm, err := gone.NormalizePath(esc)
	if err != nil {
		rs.writeBadPath(w, r, err)
		return nil, false
	}
	if norm == esc {
		return r, true
	}
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path = gone.UnescapePath(norm)
	u.RawPath = ""
	if u.EscapedPath() != norm {
		u.RawPath = norm
	}
	r2.URL = &u
	return r2, true
}

// Serve answers r (whose path is normalized) from its rule, or passes it
// to next when no rule answers it.
func (rs *Rules) Serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	path := r.URL.EscapedPath()
	e, _, ok, err := rs.table.Load().Lookup(path)
	if err != nil {
		rs.writeBadPath(w, r, err)
		return
	}
	if !ok {
		next.ServeHTTP(w, r)
		return
	}
	now := rs.svc.Now()
	a := rs.answersFor(e, now)
	switch {
	case a.pass:
		for k, v := range a.passHdr {
			// A copy: the upstream's own headers are added to these.
			w.Header()[k] = append([]string(nil), v...)
		}
		next.ServeHTTP(w, r)
	case answer.IsPreflight(r) && rs.cors.Enabled():
		// A page asks before sending a request with a token or a JSON
		// body: the answer is the policy's, so the request itself can
		// then read the rule's 410 (or 308, 503).
		if err := rs.cors.Preflight(w, r); err != nil {
			rs.writeProblem(w, r, http.StatusForbidden, gone.ErrorMessage(err))
		}
	case len(a.prebuilt) == 0:
		rs.writeNow(w, r, path, a.decision, now, "")
	default:
		l, html := rs.negotiate(r)
		f := formatJSON
		if html {
			f = formatHTML
		}
		a.prebuilt[l][f].write(w, r, path, html, rs.cors)
	}
}

// NotFound answers a request that the caller's own lookup could not serve:
// 410 (or 308, 503) when a rule retired the path, and otherwise 404, with
// the same bodies and headers as every other answer of gone.
func NotFound(w http.ResponseWriter, r *http.Request, rules *Rules) {
	r, ok := rules.Normalize(w, r)
	if !ok {
		return
	}
	path := r.URL.EscapedPath()
	now := rules.svc.Now()
	e, _, ok, err := rules.table.Load().Lookup(path)
	if err != nil {
		rules.writeBadPath(w, r, err)
		return
	}
	if ok {
		if a := rules.answersFor(e, now); !a.pass {
			rules.Serve(w, r, nil)
			return
		}
	}
	rules.recordMiss(r, path)
	d := gone.DecideRule(nil, now)
	rules.writeNow(w, r, path, d, now, "")
}

// writeBadPath answers 400 for a path gone will neither match nor forward.
func (rs *Rules) writeBadPath(w http.ResponseWriter, r *http.Request, err error) {
	rs.writeProblem(w, r, http.StatusBadRequest, gone.ErrorMessage(err))
}

// WriteProblem answers r with a problem of status (no-store) whose detail
// is the catalog's text for key, as problem+json or as the HTML page by
// r's Accept, in the language r asks for. Headers already set in w
// (Retry-After) are kept.
func (rs *Rules) WriteProblem(w http.ResponseWriter, r *http.Request, status int, key string) {
	rs.writeProblem(w, r, status, answer.Text(answer.Language(r), key))
}

// writeProblem is WriteProblem with a detail that is not in the catalog
// (an error's message).
func (rs *Rules) writeProblem(w http.ResponseWriter, r *http.Request, status int, detail string) {
	l, html := rs.negotiate(r)
	lng := answer.LanguageName(l)
	prob := answer.New(r.URL.EscapedPath(), lng, status, detail)
	prob.Rebase(rs.problemBase)
	w.Header()["Cache-Control"] = answer.NoStore
	rs.sendProblem(w, r, lng, html, prob)
}

// negotiate picks the answer's language and whether it is the HTML page:
// a browser (text/html in Accept, ahead of any JSON type) gets the page,
// every other caller the problem+json body.
func (rs *Rules) negotiate(r *http.Request) (lang int, html bool) {
	accept := r.Header.Get("Accept")
	if i := strings.Index(accept, "text/html"); i >= 0 {
		j := strings.Index(accept, "json")
		html = j < 0 || j > i
	}
	return answer.LanguageIndex(r), html
}
