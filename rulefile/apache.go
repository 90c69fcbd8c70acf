package rulefile

import (
	"bufio"
	"io"
	"strings"

	"github.com/gonehttp/gone"
)

// ReadApache reads Apache httpd directives (mod_alias):
//
//	Redirect gone /path            /path and everything below it: 410
//	Redirect 410 /path             the same
//	Redirect 301|permanent /old /new
//	Redirect 308 /old /new
//	RedirectMatch 410|gone ^/prefix/       an anchored literal prefix
//	RedirectMatch 410|gone ^/exact$        an anchored literal path
//	RedirectMatch 301|308|permanent ^/old$ /new
//
// Apache's Redirect matches whole path segments, so "Redirect gone /path"
// becomes two rules: /path exactly and the prefix /path/. A Redirect 301
// becomes an exact rule only: gone's redirects send one fixed Location, not
// the rest of the path appended. In RedirectMatch, "\." is a dot and an
// unescaped "." is taken as a dot too (a rule then matches no more than
// Apache did). Refused, each with its line: other regexes, other status
// codes (302, temp, seeother), RewriteRule, and Redirect without a path.
// Other directives and <containers> make no rule and are passed over.
func ReadApache(in io.Reader) (*Result, error) {
	res := &Result{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" || line[0] == '#' || line[0] == '<' {
			continue
		}
		f := strings.Fields(line)
		switch strings.ToLower(f[0]) {
		case "redirect":
			apacheRedirect(res, n, f[1:])
		case "redirectmatch":
			apacheRedirectMatch(res, n, f[1:])
		case "redirectpermanent":
			apacheRedirect(res, n, append([]string{"permanent"}, f[1:]...))
		case "rewriterule":
			res.refuse(n, "RewriteRule is not supported: write Redirect gone /path or Redirect 301 /old /new")
		}
	}
	return res, sc.Err()
}

// apacheStatus reads a Redirect status: "gone" and "410" retire, 301,
// "permanent" and 308 move.
func apacheStatus(s string) (gone.RuleAction, int, bool) {
	switch strings.ToLower(s) {
	case "gone", "410":
		return gone.RuleGone, 0, true
	case "permanent", "301":
		return gone.RuleMoved, 301, true
	case "308":
		return gone.RuleMoved, 308, true
	}
	return "", 0, false
}

func apacheRedirect(res *Result, n int, args []string) {
	if len(args) == 0 {
		res.refuse(n, "Redirect without a path")
		return
	}
	action, status, ok := apacheStatus(args[0])
	if !ok {
		if strings.HasPrefix(args[0], "/") {
			// "Redirect /old /new" is a 302: temporary, which gone
			// does not model.
			res.refuse(n, "Redirect %s: a temporary (302) redirect is not supported; use permanent, 301 or 308", args[0])
			return
		}
		res.refuse(n, "Redirect %s: only gone, 410, permanent, 301 and 308 are supported", args[0])
		return
	}
	args = args[1:]
	switch {
	case action == gone.RuleGone && len(args) == 1:
		path := args[0]
		res.add(n, gone.RuleSpec{RuleKey: gone.RuleKey{Path: path}, Action: gone.RuleGone})
		if !strings.HasSuffix(path, "/") {
			path += "/"
		}
		res.add(n, gone.RuleSpec{RuleKey: gone.RuleKey{Path: path, Prefix: true}, Action: gone.RuleGone})
	case action == gone.RuleMoved && len(args) == 2:
		res.add(n, gone.RuleSpec{RuleKey: gone.RuleKey{Path: args[0]}, Action: gone.RuleMoved, To: args[1], Status: status})
	default:
		res.refuse(n, "Redirect: want Redirect gone /path or Redirect 301 /old /new")
	}
}

func apacheRedirectMatch(res *Result, n int, args []string) {
	if len(args) < 2 {
		res.refuse(n, "RedirectMatch: want a status and a pattern")
		return
	}
	action, status, ok := apacheStatus(args[0])
	if !ok {
		res.refuse(n, "RedirectMatch %s: only gone, 410, permanent, 301 and 308 are supported", args[0])
		return
	}
	key, ok := literalPattern(args[1])
	if !ok {
		res.refuse(n, "RedirectMatch %s: only an anchored literal path (^/old$) or prefix (^/old/) is supported, not other regexes", args[1])
		return
	}
	switch {
	case action == gone.RuleGone && len(args) == 2:
		res.add(n, gone.RuleSpec{RuleKey: key, Action: gone.RuleGone})
	case action == gone.RuleMoved && len(args) == 3 && !key.Prefix && !strings.Contains(args[2], "$"):
		res.add(n, gone.RuleSpec{RuleKey: key, Action: gone.RuleMoved, To: args[2], Status: status})
	default:
		res.refuse(n, "RedirectMatch: want RedirectMatch 410 ^/prefix/ or RedirectMatch 301 ^/old$ /new (no back-references)")
	}
}

// literalPattern reads an anchored regex that is a literal path: "^/a/b$"
// is the exact path, "^/a/" (no "$") the prefix.
func literalPattern(re string) (gone.RuleKey, bool) {
	if !strings.HasPrefix(re, "^/") {
		return gone.RuleKey{}, false
	}
	re = re[1:]
	exact := strings.HasSuffix(re, "$") && !strings.HasSuffix(re, `\$`)
	re = strings.TrimSuffix(re, "$")
	var b strings.Builder
	for i := 0; i < len(re); i++ {
		c := re[i]
		switch {
		case c == '\\' && i+1 < len(re) && strings.IndexByte(`.-/_~+()[]{}*?|^$`, re[i+1]) >= 0:
			b.WriteByte(re[i+1])
			i++
		case strings.IndexByte(`[](){}*+?|^$\`, c) >= 0:
			return gone.RuleKey{}, false
		default:
			b.WriteByte(c)
		}
	}
	return gone.RuleKey{Path: b.String(), Prefix: !exact}, true
}
