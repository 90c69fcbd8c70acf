package rulefile

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// ReadNetlify reads a Netlify _redirects file: one rule per line, "from
// to status", "!" after the status to force it over an existing file.
//
//	/old-page /gone.html 410!        410 (the page is the body Netlify
//	                                 serves; gone writes its own)
//	/blog/2019/* /gone.html 410      prefix /blog/2019/, 410
//	/a /b 301                        move (301 or 308)
//	/docs/* /manual/ 301             prefix move to one fixed page
//
// Refused, each with its line: rewrites (200) and temporary redirects
// (302, 307), custom 404 pages, placeholders and splats in the target
// (/news/:splat: gone sends one fixed Location, it does not carry the
// rest of the path over), query and country conditions, and a "*" that is
// not the end of the path.
func ReadNetlify(in io.Reader) (*Result, error) {
	res := &Result{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" || line[0] == '#' {
			continue
		}
		netlifyRule(res, n, line, strings.Fields(line))
	}
	return res, sc.Err()
}

func netlifyRule(res *Result, n int, line string, f []string) {
	if len(f) < 2 {
		res.refuse(n, "want: from to [status]")
		return
	}
	from, to, code := f[0], f[1], "301"
	if len(f) >= 3 {
		code = f[2]
	}
	if len(f) > 3 {
		res.refuse(n, "%s: conditions (query, Country, Language, Role) are not supported", line)
		return
	}
	code = strings.TrimSuffix(code, "!")
	netlifySpec(res, n, from, to, code)
}

// netlifySpec reads one redirect of _redirects or netlify.toml.
func netlifySpec(res *Result, n int, from, to, code string) {
	key := gone.RuleKey{Path: from}
	if p, ok := strings.CutSuffix(from, "*"); ok {
		key = gone.RuleKey{Path: p, Prefix: true}
		if !strings.HasSuffix(p, "/") {
			res.refuse(n, "%s: a splat must follow a /", from)
			return
		}
	}
	if strings.ContainsAny(key.Path, "*:") {
		res.refuse(n, "%s: placeholders and splats are only supported as a final /*", from)
		return
	}
	switch code {
	case "410":
		res.add(n, gone.RuleSpec{RuleKey: key, Action: gone.RuleGone})
	case "404":
		res.refuse(n, "%s %s 404: a custom 404 page is not a retirement; use 410 for a path that went for good", from, to)
	case "301", "308":
		if strings.Contains(to, ":") && !strings.HasPrefix(to, "http://") && !strings.HasPrefix(to, "https://") || strings.Contains(to, "*") {
			res.refuse(n, "%s %s: placeholders and :splat in the target do not map to gone, which sends one fixed Location", from, to)
			return
		}
		res.add(n, moved(key, to, code == "301"))
	default:
		res.refuse(n, "%s: status %s is not supported: want 410, 301 or 308 (rewrites and temporary redirects are not a lifecycle)", from, code)
	}
}

// netlifyCaps: _redirects says 410, 404, 301 and 308, for exact paths and
// prefixes that end in "/".
var netlifyCaps = caps{format: FormatNetlify, gone: true, moved: true, prefix: true,
	prefixOK: func(p string) bool { return strings.HasSuffix(p, "/") },
	pathOK:   func(p string) bool { return !strings.ContainsAny(p, " \t*:#") }}

// WriteNetlify writes a _redirects file, exact rules first and prefixes
// longest first (Netlify takes the first rule that matches), every rule
// forced with "!" so a file still deployed cannot answer instead:
//
//	/old-page.html /410.html 410!
//	/blog/2019/* /410.html 410!
//	/products/old-name /products/new-name 301!
//
// A 410 serves opt.GonePage (default /410.html) as its body: give the
// site that page. ReadNetlify reads the file back.
func WriteNetlify(w io.Writer, specs []gone.RuleSpec, now time.Time, opt WriteOptions) (*Export, error) {
	page := opt.GonePage
	if page == "" {
		page = "/410.html"
	}
	rules, e := plan(netlifyCaps, specs, now)
	header(w, "#", e, "A 410 serves "+page+" as its body. Reasons and alternatives of 410s are not carried.")
	for _, s := range rules {
		from := s.Path
		if s.Prefix {
			from += "*"
		}
		switch s.Action {
		case gone.RuleMoved:
			fmt.Fprintf(w, "%s %s %d!\n", from, s.To, status(s))
		default:
			fmt.Fprintf(w, "%s %s 410!\n", from, page)
		}
	}
	return e, nil
}
