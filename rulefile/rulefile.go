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
	"fmt"
	"io"
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

// Formats the readers understand.
const (
	FormatNginx  = "nginx"
	FormatApache = "apache"
	FormatCSV    = "csv"
)

// Read reads a file in format.
func Read(format string, in io.Reader) (*Result, error) {
	switch format {
	case FormatNginx:
		return ReadNginx(in)
	case FormatApache:
		return ReadApache(in)
	case FormatCSV:
		return ReadCSV(in)
	}
	return nil, fmt.Errorf("unknown format %q: want nginx, apache or csv", format)
}

// Guess names the format of a file by its name: .csv is CSV, a name with
// "apache", "httpd" or ".htaccess" is Apache, anything else nginx.
func Guess(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".csv"):
		return FormatCSV
	case strings.Contains(n, "apache"), strings.Contains(n, "httpd"), strings.Contains(n, "htaccess"):
		return FormatApache
	}
	return FormatNginx
}
