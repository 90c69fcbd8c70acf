package rulefile

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// ReadCaddy reads the rules of a Caddyfile:
//
//	respond /old-page 410                  410 (404: removed)
//	respond /blog/2019/* 410               prefix /blog/2019/, 410
//	@gone path /a /b /c/*                  a named matcher of paths …
//	respond @gone 410                      … 410 for each
//	redir /old /new 301                    move (301, permanent or 308)
//	redir @moved /new 308                  a move for each of its paths
//
// Site blocks, route and handle blocks are looked into; other directives
// make no rule. Refused, each with its line: matchers other than paths,
// a "*" that is not at the end, placeholders ({uri}) in the target,
// temporary redirects (302, temporary, html) and other status codes.
func ReadCaddy(in io.Reader) (*Result, error) {
	res := &Result{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	matchers := map[string][]string{}
	type use struct {
		n    int
		args []string
		dir  string
	}
	var uses []use
	inMatcher := ""
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if i := strings.Index(line, " #"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" || line[0] == '#' {
			continue
		}
		f := caddyFields(line)
		switch {
		case inMatcher != "":
			switch {
			case f[0] == "}":
				inMatcher = ""
			case f[0] == "path":
				matchers[inMatcher] = append(matchers[inMatcher], f[1:]...)
			default:
				res.refuse(n, "matcher %s: only path is supported, not %s", inMatcher, f[0])
				matchers[inMatcher] = nil
			}
		case strings.HasPrefix(f[0], "@") && len(f) == 2 && f[1] == "{":
			inMatcher = f[0]
		case strings.HasPrefix(f[0], "@"):
			if len(f) < 3 || f[1] != "path" {
				res.refuse(n, "matcher %s: only path is supported", f[0])
				continue
			}
			matchers[f[0]] = append(matchers[f[0]], f[2:]...)
		case f[0] == "respond" || f[0] == "redir":
			uses = append(uses, use{n, f[1:], f[0]})
		}
	}
	for _, u := range uses {
		if u.dir == "respond" {
			caddyRespond(res, u.n, u.args, matchers)
		} else {
			caddyRedir(res, u.n, u.args, matchers)
		}
	}
	slices.SortStableFunc(res.Refused, func(a, b LineError) int { return cmp.Compare(a.Line, b.Line) })
	return res, sc.Err()
}

// caddyFields splits a Caddyfile line into words, keeping quoted ones.
func caddyFields(line string) []string {
	var out []string
	for line != "" {
		line = strings.TrimLeft(line, " \t")
		if line == "" {
			break
		}
		if line[0] == '"' {
			j := strings.IndexByte(line[1:], '"')
			if j < 0 {
				out = append(out, line[1:])
				break
			}
			out = append(out, line[1:j+1])
			line = line[j+2:]
			continue
		}
		j := strings.IndexAny(line, " \t")
		if j < 0 {
			j = len(line)
		}
		out = append(out, line[:j])
		line = line[j:]
	}
	return out
}

// caddyKeys turns a matcher (a path or @name) into rule keys.
func caddyKeys(res *Result, n int, m string, matchers map[string][]string) ([]gone.RuleKey, bool) {
	paths := []string{m}
	if strings.HasPrefix(m, "@") {
		var ok bool
		if paths, ok = matchers[m]; !ok || len(paths) == 0 {
			res.refuse(n, "%s: no path matcher of that name", m)
			return nil, false
		}
	}
	var keys []gone.RuleKey
	for _, p := range paths {
		k := gone.RuleKey{Path: p}
		if q, ok := strings.CutSuffix(p, "*"); ok {
			k = gone.RuleKey{Path: q, Prefix: true}
		}
		if strings.Contains(k.Path, "*") || !strings.HasPrefix(k.Path, "/") {
			res.refuse(n, "%s: only a path, or a path ending in *, is supported", p)
			return nil, false
		}
		keys = append(keys, k)
	}
	return keys, true
}

func caddyRespond(res *Result, n int, args []string, matchers map[string][]string) {
	if len(args) < 2 || !(strings.HasPrefix(args[0], "/") || strings.HasPrefix(args[0], "@")) {
		res.refuse(n, "respond: want respond /path 410 or respond @matcher 410")
		return
	}
	code := args[len(args)-1]
	var action gone.RuleAction
	switch code {
	case "410":
		action = gone.RuleGone
	case "404":
		action = gone.RuleRemoved
	default:
		return // another answer (a health check, a body): not a rule
	}
	keys, ok := caddyKeys(res, n, args[0], matchers)
	if !ok {
		return
	}
	for _, k := range keys {
		res.add(n, gone.RuleSpec{RuleKey: k, Action: action})
	}
}

func caddyRedir(res *Result, n int, args []string, matchers map[string][]string) {
	if len(args) < 2 || !(strings.HasPrefix(args[0], "/") || strings.HasPrefix(args[0], "@")) {
		res.refuse(n, "redir: want redir /old /new 301|308 (a redirect of every path is not a rule)")
		return
	}
	to, code := args[1], "302"
	if len(args) > 2 {
		code = args[2]
	}
	st := 0
	switch code {
	case "301", "permanent":
		st = 301
	case "308":
		st = 308
	default:
		res.refuse(n, "redir %s %s %s: only permanent, 301 and 308 are supported", args[0], to, code)
		return
	}
	if strings.ContainsAny(to, "{}") {
		res.refuse(n, "redir %s %s: placeholders do not map to gone, which sends one fixed Location", args[0], to)
		return
	}
	keys, ok := caddyKeys(res, n, args[0], matchers)
	if !ok {
		return
	}
	for _, k := range keys {
		res.add(n, moved(k, to, st == 301))
	}
}

// caddyCaps: a Caddyfile says any status for a path or a prefix.
var caddyCaps = caps{format: FormatCaddy, gone: true, removed: true, moved: true, prefix: true,
	pathOK: func(p string) bool { return plainPath(p) && !strings.ContainsAny(p, "*{}") }}

// WriteCaddy writes the rules in one route block, for a site block
// ("import gone.caddy" inside it). A route runs its directives in the
// order written, so exact rules come first and prefixes longest first,
// as gone matches them:
//
//	route {
//		respond /old-page.html 410
//		redir /products/old-name /products/new-name 301
//		respond /blog/2019/* 410
//	}
//
// Caddy's path matcher ignores case, where gone's does not. ReadCaddy
// reads the file back.
func WriteCaddy(w io.Writer, specs []gone.RuleSpec, now time.Time, _ WriteOptions) (*Export, error) {
	rules, e := plan(caddyCaps, specs, now)
	header(w, "#", e, "Import it inside a site block. Caddy matches paths without regard to case; gone does not. Reasons and alternatives of 410s are not carried.")
	fmt.Fprintln(w, "route {")
	for _, s := range rules {
		m := s.Path
		if s.Prefix {
			m += "*"
		}
		switch s.Action {
		case gone.RuleMoved:
			fmt.Fprintf(w, "\tredir %s %s %d\n", m, s.To, status(s))
		case gone.RuleRemoved:
			fmt.Fprintf(w, "\trespond %s 404\n", m)
		default:
			fmt.Fprintf(w, "\trespond %s 410\n", m)
		}
	}
	fmt.Fprintln(w, "}")
	return e, nil
}
