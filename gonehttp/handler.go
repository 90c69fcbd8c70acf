package gonehttp

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/httpapi"
)

// Handler answers the paths rules has a rule for and passes every other
// request to next, with its path normalized (gone.NormalizePath): next sees
// exactly the path the rules were matched against, so no spelling of a
// retired path reaches it. A path that cannot be normalized (an encoded
// slash, NUL, a malformed escape) is answered 400 and reaches nobody.
//
// Answers are for the public: the Authorization header of the traffic
// belongs to next, and gone never reads it here.
func Handler(next http.Handler, rules *Rules) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, ok := rules.Normalize(w, r)
		if !ok {
			return
		}
		rules.Serve(w, r, next)
	})
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
	e, _, ok := rs.table.Load().Match(path)
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
	case httpapi.IsPreflight(r) && rs.cors.Enabled():
		// A page asks before sending a request with a token or a JSON
		// body: the answer is the policy's, so the request itself can
		// then read the rule's 410 (or 308, 503).
		if err := rs.cors.Preflight(w, r); err != nil {
			msg := gone.ErrorMessage(err)
			rs.WriteProblem(w, r, http.StatusForbidden, map[string]string{"en": msg})
		}
	case a.prebuilt[0][0] == nil:
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
	if e, _, ok := rules.table.Load().Match(path); ok {
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
	msg := gone.ErrorMessage(err)
	rs.WriteProblem(w, r, http.StatusBadRequest, map[string]string{"en": msg, "es": msg})
}

// WriteProblem answers r with a problem of status (no-store), as
// problem+json or as the HTML page by r's Accept, with detail in the
// language r asks for ("en" is the fallback). Headers already set in w
// (Retry-After) are kept.
func (rs *Rules) WriteProblem(w http.ResponseWriter, r *http.Request, status int, detail map[string]string) {
	l, html := rs.negotiate(r)
	lng := langNames[l]
	msg, ok := detail[lng]
	if !ok {
		msg = detail["en"]
	}
	title := http.StatusText(status)
	prob := &httpapi.Problem{
		Type: rs.problemBase + problemType(status), Title: title, Status: status,
		Detail: msg, Instance: r.URL.EscapedPath(), Error: title, Message: msg,
	}
	w.Header().Set("Cache-Control", "no-store")
	rs.sendProblem(w, r, lng, html, prob)
}

func problemType(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not-found"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	return "upstream"
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
	return rs.langs.get(r), html
}

// langMemo remembers the language negotiated for each Accept-Language
// value, since browsers send a handful of distinct ones; it stops growing
// at langMemoMax entries, after which negotiation simply runs each time.
type langMemo struct {
	m sync.Map
	n atomic.Int32
}

const langMemoMax = 4096

func (m *langMemo) get(r *http.Request) int {
	h := r.Header.Get("Accept-Language")
	if h == "" {
		return langEN
	}
	if v, ok := m.m.Load(h); ok {
		return v.(int)
	}
	l := langEN
	if httpapi.Language(r) == "es" {
		l = langES
	}
	if m.n.Add(1) <= langMemoMax {
		m.m.Store(h, l)
	}
	return l
}
