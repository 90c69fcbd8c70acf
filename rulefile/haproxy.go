package rulefile

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// haproxyCaps: HAProxy (2.2 and later) says any status for a path or a
// prefix.
var haproxyCaps = caps{format: FormatHAProxy, gone: true, removed: true, moved: true, prefix: true,
	pathOK: func(p string) bool { return plainPath(p) && !strings.ContainsAny(p, "()") }}

// WriteHAProxy writes http-request rules for a frontend (or a defaults
// section), exact rules first and prefixes longest first, as HAProxy runs
// them in order and the first that answers ends the request:
//
//	http-request return status 410 if { path /old-page.html }
//	http-request redirect location /products/new-name code 301 if { path /products/old-name }
//	http-request return status 410 if { path_beg /blog/2019/ }
//
// HAProxy matches the path as it arrives, percent-escapes and all; gone
// matches it normalized. There is no reader: HAProxy lists are not a
// format people bring.
func WriteHAProxy(w io.Writer, specs []gone.RuleSpec, now time.Time, _ WriteOptions) (*Export, error) {
	rules, e := plan(haproxyCaps, specs, now)
	header(w, "#", e, "Put it in a frontend section (HAProxy 2.2 or later). Reasons and alternatives of 410s are not carried.")
	for _, s := range rules {
		cond := "path " + s.Path
		if s.Prefix {
			cond = "path_beg " + s.Path
		}
		switch s.Action {
		case gone.RuleMoved:
			fmt.Fprintf(w, "http-request redirect location %s code %d if { %s }\n", s.To, status(s), cond)
		case gone.RuleRemoved:
			fmt.Fprintf(w, "http-request return status 404 if { %s }\n", cond)
		default:
			fmt.Fprintf(w, "http-request return status 410 if { %s }\n", cond)
		}
	}
	return e, nil
}
