package rulefile

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// WriteApacheMap writes the RewriteMap form of the Apache export, for long
// lists: a text map of the exact rules (one hashed lookup per request,
// whatever its length), whose header gives the lines the server or
// virtual host config needs (ApacheMapConfig): the map's lookups, then the
// prefix rules, longest first. A RewriteMap cannot be declared in
// .htaccess; the plain apache export can.
//
//	/old-page.html 410
//	/products/old-name 301:/products/new-name
func WriteApacheMap(w io.Writer, specs []gone.RuleSpec, now time.Time, opt WriteOptions) (*Export, error) {
	c := apacheCaps
	c.format = FormatApacheMap
	c.pathOK = func(p string) bool { return plainPath(p) && !strings.ContainsAny(p, " ") }
	rules, e := plan(c, specs, now)
	notes := []string{"The map of the exact rules. Put these lines in the server or virtual host config (mod_rewrite), with the map's path:"}
	for _, l := range strings.Split(strings.TrimSpace(apacheMapConfig(opt.MapFile, rules)), "\n") {
		notes = append(notes, "  "+l)
	}
	header(w, "#", e, append(notes, "Reasons and alternatives of 410s are not carried.")...)
	for _, s := range rules {
		if s.Prefix {
			continue
		}
		switch s.Action {
		case gone.RuleMoved:
			fmt.Fprintf(w, "%s %d:%s\n", s.Path, status(s), s.To)
		case gone.RuleRemoved:
			fmt.Fprintf(w, "%s 404\n", s.Path)
		default:
			fmt.Fprintf(w, "%s 410\n", s.Path)
		}
	}
	return e, nil
}

// ApacheMapConfig is the config that goes with WriteApacheMap's file at
// mapFile: the lookups of the exact rules, then the prefix rules of specs
// (longest first), as WriteApache writes them.
func ApacheMapConfig(mapFile string, specs []gone.RuleSpec, now time.Time) string {
	c := apacheCaps
	rules, _ := plan(c, Ordered(specs), now)
	return apacheMapConfig(mapFile, rules)
}

func apacheMapConfig(mapFile string, rules []gone.RuleSpec) string {
	if mapFile == "" {
		mapFile = "/etc/apache2/gone-map.txt"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "RewriteEngine On\nRewriteMap gone \"txt:%s\"\n", mapFile)
	fmt.Fprintf(&b, "RewriteCond ${gone:%%{REQUEST_URI}} =410\nRewriteRule ^ - [G]\n")
	fmt.Fprintf(&b, "RewriteCond ${gone:%%{REQUEST_URI}} =404\nRewriteRule ^ - [R=404,L]\n")
	for _, st := range []int{301, 308} {
		fmt.Fprintf(&b, "RewriteCond ${gone:%%{REQUEST_URI}} ^%d:(.+)$\nRewriteRule ^ %%1 [R=%d,L,QSD,NE]\n", st, st)
	}
	for _, s := range rules {
		if !s.Prefix {
			continue
		}
		pat := "^/?" + regexQuote(strings.TrimPrefix(s.Path, "/"))
		switch s.Action {
		case gone.RuleMoved:
			fmt.Fprintf(&b, "RewriteRule %s %s [R=%d,L,QSD,NE]\n", pat, s.To, status(s))
		case gone.RuleRemoved:
			fmt.Fprintf(&b, "RewriteRule %s - [R=404,L]\n", pat)
		default:
			fmt.Fprintf(&b, "RewriteRule %s - [G]\n", pat)
		}
	}
	return b.String()
}
