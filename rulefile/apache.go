package rulefile

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

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
//	RedirectMatch 301|308|permanent ^/old$ /new   (or ^/old/: every path below)
//
// Apache's Redirect matches whole path segments, so "Redirect gone /path"
// becomes two rules: /path exactly and the prefix /path/. A Redirect 301
// becomes an exact rule only: gone's redirects send one fixed Location, not
// the rest of the path appended. In RedirectMatch, "\." is a dot and an
// unescaped "." is taken as a dot too (a rule then matches no more than
// Apache did). Refused, each with its line: other regexes, other status
// codes (302, temp, seeother), Redirect without a path, and RewriteRule
// lines other than these two:
//
//	RewriteRule ^old-page$ - [G]           (or [G,L], [R=410]): 410
//	RewriteRule ^old$ /new [R=301,L]       (or R=308): a move
//	RewriteRule ^/?draft$ - [R=404]        removed (as gone exports it)
//
// whose pattern is an anchored literal path, with or without the leading
// slash (.htaccess patterns have none).
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
			apacheRewriteRule(res, n, f[1:])
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
	case "404":
		// What gone's own export writes for a removed (restorable) path.
		return gone.RuleRemoved, 0, true
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
	case action != gone.RuleMoved && len(args) == 1:
		path := args[0]
		res.add(n, gone.RuleSpec{RuleKey: gone.RuleKey{Path: path}, Action: action})
		if !strings.HasSuffix(path, "/") {
			path += "/"
		}
		res.add(n, gone.RuleSpec{RuleKey: gone.RuleKey{Path: path, Prefix: true}, Action: action})
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
	case action != gone.RuleMoved && len(args) == 2:
		res.add(n, gone.RuleSpec{RuleKey: key, Action: action})
	case action == gone.RuleMoved && len(args) == 3 && !strings.Contains(args[2], "$"):
		// No back-reference: Apache sends the target as it is, for a
		// prefix too, as gone does.
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

// apacheRewriteRule reads the RewriteRule lines that say 410 or a
// permanent move for a literal path.
func apacheRewriteRule(res *Result, n int, args []string) {
	if len(args) != 3 || !strings.HasPrefix(args[2], "[") || !strings.HasSuffix(args[2], "]") {
		res.refuse(n, "RewriteRule: only RewriteRule ^path$ - [G] and RewriteRule ^old$ /new [R=301] are supported")
		return
	}
	pat := args[0]
	if !strings.HasPrefix(pat, "^") {
		res.refuse(n, "RewriteRule %s: the pattern must be anchored (^path$ or ^prefix/)", pat)
		return
	}
	pat = "^/" + strings.TrimPrefix(strings.TrimPrefix(pat[1:], "/?"), "/")
	if args[1] == "-" && len(args) == 3 && strings.Contains(strings.ToUpper(args[2]), "R=") && !strings.Contains(args[2], "404") && !strings.Contains(args[2], "410") {
		res.refuse(n, "RewriteRule %s - %s: a redirect needs a target", args[0], args[2])
		return
	}
	key, ok := literalPattern(pat)
	if !ok {
		res.refuse(n, "RewriteRule %s: only a literal path or prefix is supported, not other regexes", args[0])
		return
	}
	code := ""
	for _, fl := range strings.Split(strings.ToUpper(strings.Trim(args[2], "[]")), ",") {
		fl = strings.TrimSpace(fl)
		switch {
		case fl == "G" || fl == "GONE":
			code = "410"
		case strings.HasPrefix(fl, "R=") || strings.HasPrefix(fl, "REDIRECT="):
			_, code, _ = strings.Cut(fl, "=")
		case fl == "R":
			code = "302"
		}
	}
	switch {
	case code == "410" && args[1] == "-":
		res.add(n, gone.RuleSpec{RuleKey: key, Action: gone.RuleGone})
	case code == "404" && args[1] == "-":
		// What gone's own export writes for a removed (restorable) path.
		res.add(n, gone.RuleSpec{RuleKey: key, Action: gone.RuleRemoved})
	case (code == "301" || code == "308") && args[1] != "-" && !strings.ContainsAny(args[1], "$%"):
		res.add(n, moved(key, args[1], code == "301"))
	default:
		res.refuse(n, "RewriteRule %s %s %s: only [G] (410) and [R=301] or [R=308] to a fixed path are supported", args[0], args[1], args[2])
	}
}

// apacheCaps: mod_rewrite says any status for a path or a prefix, but
// cannot schedule or end anything.
var apacheCaps = caps{format: FormatApache, gone: true, removed: true, moved: true, prefix: true, pathOK: plainPath}

// WriteApache writes one RewriteRule per rule (mod_rewrite), exact rules
// first and prefixes longest first, each the last rule for its request:
//
//	RewriteEngine On
//	RewriteRule ^/?old-page\.html$ - [G]
//	RewriteRule ^/?products/old-name$ /products/new-name [R=301,L,QSD,NE]
//	RewriteRule ^/?blog/2019/ - [G]
//
// mod_rewrite, not mod_alias: Redirect and RedirectMatch append the
// request's query string to the new URL (QSD drops it: gone sends one
// fixed Location), and mixing the two modules would lose the order, as
// mod_rewrite runs first. "^/?" matches in a server or virtual host config
// and in .htaccess alike. ReadApache reads it back.
func WriteApache(w io.Writer, specs []gone.RuleSpec, now time.Time, _ WriteOptions) (*Export, error) {
	rules, e := plan(apacheCaps, specs, now)
	header(w, "#", e, "Put it in the server or virtual host config, or .htaccess (mod_rewrite). Reasons and alternatives of 410s are not carried.")
	fmt.Fprintln(w, "RewriteEngine On")
	for _, s := range rules {
		pat := "^/?" + regexQuote(strings.TrimPrefix(s.Path, "/"))
		if !s.Prefix {
			pat += "$"
		}
		switch s.Action {
		case gone.RuleMoved:
			fmt.Fprintf(w, "RewriteRule %s %s [R=%d,L,QSD,NE]\n", pat, s.To, status(s))
		case gone.RuleRemoved:
			fmt.Fprintf(w, "RewriteRule %s - [R=404,L]\n", pat)
		default:
			fmt.Fprintf(w, "RewriteRule %s - [G]\n", pat)
		}
	}
	return e, nil
}
