// Package rulefile reads the gone lists people already have (nginx and
// Apache configuration snippets, CSV) into path rules, and sitemaps into
// known paths.
//
// Every reader returns the rules it understood and one error per line it
// refused, with the line number. The caller decides what a refused line
// means; gone's CLI imports nothing when any line is refused (unless told
// to skip them), because a 410 cannot be taken back: a gone list should go
// in whole, as reviewed, or not at all.
package rulefile

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gonehttp/gone"
)

// LineError is one refused line.
type LineError struct {
	Line int    `json:"line"`
	Err  string `json:"error"`
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Err) }

// MaxRefusedKept is how many refused lines a Result keeps with their
// errors; the others are only counted (MoreRefused). A file of a million
// refused lines would otherwise hold a million messages in memory and
// print them all, burying the first, which is the one to fix.
const MaxRefusedKept = 100

// Result is what a reader made of a file.
type Result struct {
	Rules []gone.RuleSpec
	// Refused are the first MaxRefusedKept refused lines, in order.
	Refused []LineError
	// MoreRefused counts the refused lines past those.
	MoreRefused int
}

// RefusedLines is how many lines were refused in all.
func (r *Result) RefusedLines() int { return len(r.Refused) + r.MoreRefused }

func (r *Result) refuse(line int, format string, args ...any) {
	if len(r.Refused) >= MaxRefusedKept {
		r.MoreRefused++
		return
	}
	r.Refused = append(r.Refused, LineError{Line: line, Err: fmt.Sprintf(format, args...)})
}

// PrintRefused writes the refused lines of the file name to w, one per
// line, at most most of them, then how many more there were.
func (r *Result) PrintRefused(w io.Writer, name string, most int) {
	for i, e := range r.Refused {
		if i == most {
			break
		}
		fmt.Fprintf(w, "%s:%d: %s\n", name, e.Line, e.Err)
	}
	if more := r.RefusedLines() - min(most, len(r.Refused)); more > 0 {
		fmt.Fprintf(w, "%s: … and %d more refused lines\n", name, more)
	}
}

// add appends a rule after normalizing its path, or refuses the line.
func (r *Result) add(line int, spec gone.RuleSpec) {
	p, err := gone.RulePath(spec.Path)
	if err != nil {
		r.refuse(line, "%s: %s", spec.Path, gone.ErrorMessage(err))
		return
	}
	spec.Path = p
	spec.Line = line
	r.Rules = append(r.Rules, spec)
}

// Formats: each has a reader, a writer or both (see Formats).
const (
	FormatNginx        = "nginx"
	FormatNginxMap     = "nginx-map"
	FormatApache       = "apache"
	FormatApacheMap    = "apache-map"
	FormatCSV          = "csv"
	FormatNetlify      = "netlify"
	FormatNetlifyTOML  = "netlify-toml"
	FormatVercel       = "vercel"
	FormatVercelBulk   = "vercel-bulk"
	FormatCaddy        = "caddy"
	FormatHAProxy      = "haproxy"
	FormatIIS          = "iis"
	FormatWordPress    = "wordpress"
	FormatWordPressCSV = "wordpress-csv"
	FormatCloudflare   = "cloudflare"
	FormatShopify      = "shopify"
)

// reader reads one format.
type reader func(io.Reader) (*Result, error)

var readers = map[string]reader{
	FormatNginx:        ReadNginx,
	FormatApache:       ReadApache,
	FormatCSV:          ReadCSV,
	FormatNetlify:      ReadNetlify,
	FormatNetlifyTOML:  ReadNetlifyTOML,
	FormatVercel:       ReadVercel,
	FormatVercelBulk:   ReadVercelBulk,
	FormatCaddy:        ReadCaddy,
	FormatIIS:          ReadIIS,
	FormatWordPress:    ReadWordPress,
	FormatWordPressCSV: ReadWordPressCSV,
	FormatCloudflare:   ReadCloudflare,
	FormatShopify:      ReadShopify,
}

// RedirectOnly names the formats that carry redirects only: a list read
// from one has no 410s, whatever the site retired.
var RedirectOnly = map[string]bool{FormatCloudflare: true, FormatShopify: true, FormatVercelBulk: true, FormatVercel: true}

// Readable lists the formats Read reads.
func Readable() []string { return sortedKeys(readers) }

// Writable lists the formats Write writes.
func Writable() []string { return sortedKeys(writers) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Read reads a file in format. A file that reads as another format is
// refused with that format's name: a Caddyfile given as nginx would
// otherwise import nothing and say nothing.
func Read(format string, in io.Reader) (*Result, error) {
	rd, ok := readers[format]
	switch {
	case !ok && slices.Contains(Writable(), format):
		return nil, fmt.Errorf("%s is a format gone exports to, not one it reads: import one of %s", format, strings.Join(Readable(), ", "))
	case !ok:
		return nil, fmt.Errorf("unknown format %q: want one of %s", format, strings.Join(Readable(), ", "))
	}
	b, err := io.ReadAll(in)
	if err != nil {
		return nil, err
	}
	if like := Sniff(b); like != "" && like != format && !(format == FormatNginx && like == FormatNginxMap) {
		return nil, fmt.Errorf("this does not look like %s but like %s: give --format %s", format, like, like)
	}
	return rd(bytes.NewReader(b))
}

// Guess names the format of a file by its name, or "" when the name does
// not say (then Sniff reads the content).
func Guess(name string) string {
	n := strings.ToLower(filepath.Base(name))
	switch {
	case n == "_redirects":
		return FormatNetlify
	case n == "netlify.toml":
		return FormatNetlifyTOML
	case n == "vercel.json":
		return FormatVercel
	case n == "caddyfile" || strings.HasSuffix(n, ".caddyfile") || strings.HasSuffix(n, ".caddy"):
		return FormatCaddy
	case n == "web.config" || strings.HasSuffix(n, ".config"):
		return FormatIIS
	case strings.Contains(n, "haproxy"):
		return FormatHAProxy
	case strings.Contains(n, "shopify"):
		return FormatShopify
	case strings.Contains(n, "cloudflare"):
		return FormatCloudflare
	case strings.Contains(n, "redirection") || strings.Contains(n, "wordpress"):
		if strings.HasSuffix(n, ".csv") {
			return FormatWordPressCSV
		}
		return FormatWordPress
	case strings.HasSuffix(n, ".csv"):
		return FormatCSV
	case strings.Contains(n, "apache"), strings.Contains(n, "httpd"), strings.Contains(n, "htaccess"):
		return FormatApache
	case strings.Contains(n, "nginx"):
		return FormatNginx
	}
	return ""
}

// moved is the rule a list's 301 or 308 to to says: gone answers 308
// unless the list said 301, which it keeps (gone.RedirectStatus).
func moved(k gone.RuleKey, to string, said301 bool) gone.RuleSpec {
	spec := gone.RuleSpec{RuleKey: k, Action: gone.RuleMoved, To: to}
	if said301 {
		spec.Status = 301
	}
	return spec
}
