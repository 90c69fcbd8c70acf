package rulefile

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// Left is a rule an export could not write, and why; or, with Written, a
// rule it wrote with less than gone says (a 308 written as 301).
type Left struct {
	Key     string `json:"key"`
	Why     string `json:"why"`
	Written bool   `json:"written,omitempty"`
}

// Export is what a writer did.
type Export struct {
	Format  string `json:"format"`
	Written int    `json:"written"`
	Left    []Left `json:"left"`
}

// LeftOut is the number of rules the export left out.
func (e *Export) LeftOut() int {
	n := 0
	for _, l := range e.Left {
		if !l.Written {
			n++
		}
	}
	return n
}

// writer writes the rules a target can say; it reports the others in
// the Export through plan.
type writer func(w io.Writer, specs []gone.RuleSpec, now time.Time, opt WriteOptions) (*Export, error)

var writers = map[string]writer{
	FormatNginx:      WriteNginx,
	FormatNginxMap:   WriteNginxMap,
	FormatApache:     WriteApache,
	FormatApacheMap:  WriteApacheMap,
	FormatCSV:        WriteCSV,
	FormatNetlify:    WriteNetlify,
	FormatCaddy:      WriteCaddy,
	FormatHAProxy:    WriteHAProxy,
	FormatIIS:        WriteIIS,
	FormatVercel:     WriteVercel,
	FormatCloudflare: WriteCloudflare,
	FormatShopify:    WriteShopify,
}

// WriteOptions are what some targets need beyond the rules.
type WriteOptions struct {
	// Host is the site's host name, which Cloudflare's source URLs need.
	Host string
	// GonePage is the page Netlify serves with a 410 (default /410.html).
	GonePage string
	// MapFile is where the apache-map export's file will be, which the
	// config lines in its header name (default /etc/apache2/gone-map.txt).
	MapFile string
}

// Write writes specs (the live list, as gone.RuleSpecOf gives it) in
// format. The output is deterministic: the same rules give the same bytes,
// so an export kept in a repository diffs well.
func Write(format string, w io.Writer, specs []gone.RuleSpec, now time.Time, opt WriteOptions) (*Export, error) {
	wr, ok := writers[format]
	if !ok {
		return nil, fmt.Errorf("unknown export format %q: want one of %s", format, strings.Join(Writable(), ", "))
	}
	return wr(w, Ordered(specs), now, opt)
}

// Ordered sorts rules the way an edge that takes the first match must list
// them to answer as gone does: exact rules (by path), then prefixes,
// longest first (then by path).
func Ordered(specs []gone.RuleSpec) []gone.RuleSpec {
	out := slices.Clone(specs)
	slices.SortFunc(out, func(a, b gone.RuleSpec) int {
		switch {
		case a.Prefix != b.Prefix:
			if a.Prefix {
				return 1
			}
			return -1
		case a.Prefix && len(a.Path) != len(b.Path):
			return cmp.Compare(len(b.Path), len(a.Path))
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out
}

// caps is what a target can say.
type caps struct {
	format string
	gone   bool // 410
	// removed: a 404 (a soft-removed path; 410 once its window passes).
	removed bool
	moved   bool
	// as301 writes a 308 as a 301: the target has no 308.
	as301 bool
	// prefix: prefix rules, and which ones (nil: every prefix).
	prefix   bool
	prefixOK func(path string) bool
	// unavailable: a 503 window (with its end).
	unavailable bool
	// future: a 410 scheduled for later, with its date.
	future bool
	// pathOK refuses paths the target cannot quote.
	pathOK func(path string) bool
}

// plan splits specs into those the target writes and those it leaves out.
func plan(c caps, specs []gone.RuleSpec, now time.Time) ([]gone.RuleSpec, *Export) {
	e := &Export{Format: c.format, Left: []Left{}}
	var out []gone.RuleSpec
	for _, s := range specs {
		key := s.RuleKey.String()
		why := ""
		switch {
		case s.Action == gone.RuleGone && s.At.After(now) && !c.future:
			why = "410 from " + s.At.UTC().Format(time.RFC3339) + ": " + c.format + " cannot schedule it; export again on that day"
		case s.Action == gone.RuleGone && !c.gone:
			why = "410: " + c.format + " carries redirects only"
		case s.Action == gone.RuleRemoved && !c.removed:
			why = "404 (removed, restorable): " + c.format + " cannot say it"
		case s.Action == gone.RuleUnavailable && !c.unavailable:
			why = "503 until " + s.At.UTC().Format(time.RFC3339) + ": " + c.format + " cannot end a window by itself"
		case s.Action == gone.RuleMoved && !c.moved:
			why = "move: " + c.format + " cannot say it"
		case s.Prefix && (!c.prefix || c.prefixOK != nil && !c.prefixOK(s.Path)):
			why = "prefix: " + c.format + " cannot match this prefix"
		case c.pathOK != nil && !c.pathOK(s.Path):
			why = "path: " + c.format + " cannot quote it"
		}
		if why != "" {
			e.Left = append(e.Left, Left{Key: key, Why: why})
			continue
		}
		if s.Action == gone.RuleMoved && c.as301 && s.Status != 301 {
			e.Left = append(e.Left, Left{Key: key, Why: "308 written as 301: " + c.format + " has no 308", Written: true})
			s.Status = 301
		}
		out = append(out, s)
	}
	e.Written = len(out)
	return out, e
}

// header writes the comment that opens an export: what it holds and every
// rule it left out or wrote with less, each on its own line. Nothing in
// it depends on the clock, so an unchanged list exports the same bytes.
func header(w io.Writer, mark string, e *Export, notes ...string) {
	fmt.Fprintf(w, "%s gone list for %s, written by gone rules export.\n", mark, e.Format)
	fmt.Fprintf(w, "%s %d rules written; %d left out.\n", mark, e.Written, e.LeftOut())
	for _, n := range notes {
		fmt.Fprintf(w, "%s %s\n", mark, n)
	}
	for _, l := range e.Left {
		what := "left out"
		if l.Written {
			what = "written"
		}
		fmt.Fprintf(w, "%s %s %s: %s\n", mark, what, l.Key, l.Why)
	}
	fmt.Fprintln(w)
}

// status is the status a move answers.
func status(s gone.RuleSpec) int {
	if s.Status == 301 {
		return 301
	}
	return 308
}

// plainPath reports whether a path needs no quoting in a config file: no
// space, quote, brace, semicolon, hash or backslash.
func plainPath(p string) bool {
	return !strings.ContainsAny(p, " \t\"'{};#\\$")
}
