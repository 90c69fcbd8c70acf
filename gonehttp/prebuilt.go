package gonehttp

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// pathMark stands for the request path in a prebuilt body: a prefix rule
// answers many paths, and the problem's instance is the one asked for.
const pathMark = "__gone_request_path__"

// answers are one rule's answers, decided by gone.Decide at one moment and
// valid until the decision's Until (the record's next scheduled change: an
// expiry, the end of a restore window or of a maintenance; zero for a 503,
// whose Retry-After counts down), after which they are built again.
type answers struct {
	decision gone.Decision
	// pass: the upstream answers; headers (Sunset, Deprecation) still apply.
	pass     bool
	passHdr  http.Header
	prebuilt [][2]*prebuilt // [language (answer.Languages)][format]; nil where built per request
}

// prebuilt is an answer's exact bytes, split where the request path goes.
type prebuilt struct {
	status int
	header http.Header
	parts  [][]byte // body pieces to join with the escaped request path
	// fixed is the length of the parts; every gap adds the escaped path.
	fixed int
}

const (
	formatJSON = iota
	formatHTML
)

// answersFor returns the entry's answers at now, building them when there
// are none yet or the ones there have lapsed.
func (r *Rules) answersFor(e *entry, now time.Time) *answers {
	if a := e.answers.Load(); a != nil && now.Before(a.decision.Until) {
		return a
	}
	a := r.build(e, now)
	e.answers.Store(a)
	return a
}

// build decides the rule at now and renders what can be rendered ahead.
func (r *Rules) build(e *entry, now time.Time) *answers {
	d := gone.DecideRule(e.record(), now)
	a := &answers{decision: d}
	switch d.Answer {
	case gone.AnswerOK:
		a.pass = true
		a.passHdr = http.Header{}
		if !d.Sunset.IsZero() {
			a.passHdr.Set("Sunset", d.Sunset.UTC().Format(http.TimeFormat))
			if d.Alternative != "" {
				a.passHdr.Set("Link", answer.LinkValue(d.Alternative, "sunset"))
			}
		}
		return a
	case gone.AnswerUnavailable:
		// Retry-After counts down every second: built per request.
		return a
	}
	a.prebuilt = make([][2]*prebuilt, answer.LanguageCount())
	for l := range a.prebuilt {
		for f := range 2 {
			a.prebuilt[l][f] = r.render(e, d, l, f, now)
		}
	}
	return a
}

// render builds one answer for language l and format f.
func (r *Rules) render(e *entry, d gone.Decision, l, f int, now time.Time) *prebuilt {
	lng := answer.LanguageName(l)
	h := http.Header{}
	instance := pathMark
	if !e.key.Prefix {
		instance = e.key.Path // an exact rule answers one path only
	}
	if d.Answer == gone.AnswerMoved {
		h.Set("Location", d.Location)
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Length", "0")
		return &prebuilt{status: gone.RedirectStatus(e.record()), header: h}
	}
	prob := answer.ForDecision(r.svc.Config(), gone.RulePolicy, lng, instance, instance, d, now, r.maxRetry, h)
	prob.Rebase(r.problemBase)
	body := encodeAnswer(h, lng, f == formatHTML, prob)
	h.Del("Content-Length") // set per request: the path's length varies
	pb := &prebuilt{status: prob.Status, header: h, parts: bytes.Split(body, []byte(pathMark))}
	for _, p := range pb.parts {
		pb.fixed += len(p)
	}
	return pb
}

// write sends a prebuilt answer for the normalized request path.
func (pb *prebuilt) write(w http.ResponseWriter, r *http.Request, path string, html bool, cors answer.CORS) {
	h := w.Header()
	for k, v := range pb.header {
		h[k] = v
	}
	if cors.Enabled() {
		// Vary is shared with every other request's copy: append to a
		// clone, never to the prebuilt slice.
		h["Vary"] = slices.Clone(h["Vary"])
		cors.Headers(h, r)
	}
	esc := path
	if len(pb.parts) > 1 {
		esc = escapePath(path, html)
	}
	n := pb.fixed
	if len(pb.parts) > 1 {
		n += (len(pb.parts) - 1) * len(esc)
	}
	h["Content-Length"] = answer.ContentLength(n)
	w.WriteHeader(pb.status)
	if n == 0 {
		return
	}
	// The server buffers writes, so several small ones cost no syscall.
	for i, p := range pb.parts {
		if i > 0 {
			io.WriteString(w, esc)
		}
		w.Write(p)
	}
}

// escapePath escapes a normalized path for a JSON string or HTML text. A
// normalized path holds only RFC 3986 pchars and %XX, so "&" and "'" are
// the only characters either needs escaped; JSON escapes "&" as
// encoding/json does, so the bytes match a json.Marshal of the problem.
func escapePath(p string, html bool) string {
	if !strings.ContainsAny(p, "&'") {
		return p
	}
	var b bytes.Buffer
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '&' && html:
			b.WriteString("&amp;")
		case c == '\'' && html:
			b.WriteString("&#39;")
		case c == '&':
			b.WriteString(`\u0026`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// WriteNotFound answers r with gone's 404 for a path no rule knows,
// suggesting another path when suggestion is not empty. The proxy answers
// the upstream's 404s with it under --rewrite-404.
func (r *Rules) WriteNotFound(w http.ResponseWriter, req *http.Request, suggestion string) {
	now := r.svc.Now()
	r.writeNow(w, req, req.URL.EscapedPath(), gone.DecideRule(nil, now), now, suggestion)
}

// writeNow renders and sends an answer that cannot be prebuilt (503 with
// its Retry-After counting down, or a 404 of NotFound).
func (r *Rules) writeNow(w http.ResponseWriter, req *http.Request, path string, d gone.Decision, now time.Time, suggestion string) {
	l, html := r.negotiate(req)
	lng := answer.LanguageName(l)
	h := w.Header()
	prob := answer.ForDecision(r.svc.Config(), gone.RulePolicy, lng, path, path, d, now, r.maxRetry, h)
	prob.Rebase(r.problemBase)
	if suggestion != "" {
		prob.Suggestion = suggestion
		prob.Detail = fmt.Sprintf(answer.Text(lng, answer.MsgPathSuggest), path, suggestion)
		prob.Message = prob.Detail
	}
	r.sendProblem(w, req, lng, html, prob)
}

// encodeAnswer returns prob as the HTML page or as problem+json, and sets
// the headers that go with it in h: every answer varies by Accept.
func encodeAnswer(h http.Header, lng string, html bool, prob *answer.Problem) []byte {
	var body []byte
	if html {
		body = answer.HTML(h, lng, prob)
	} else {
		body = answer.Encode(h, lng, prob)
	}
	h.Add("Vary", "Accept")
	return body
}

// sendProblem writes prob in the negotiated format, with the CORS headers
// the request calls for.
func (r *Rules) sendProblem(w http.ResponseWriter, req *http.Request, lng string, html bool, prob *answer.Problem) {
	h := w.Header()
	body := encodeAnswer(h, lng, html, prob)
	r.cors.Headers(h, req)
	w.WriteHeader(prob.Status)
	w.Write(body)
}
