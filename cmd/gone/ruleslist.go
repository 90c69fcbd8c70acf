package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/rulefile"
)

// readRuleFile reads a gone list in format (from --format, else the file's
// name, else its content), printing every refused line with its number.
func readRuleFile(e env, name, format string) (*rulefile.Result, string, error) {
	raw, err := os.ReadFile(name)
	if err != nil {
		return nil, "", err
	}
	if format == "" {
		format = rulefile.Guess(name)
	}
	if format == "" {
		format = rulefile.Sniff(raw)
	}
	if format == "" {
		return nil, "", usageError("cannot tell the format of %s: give --format (one of %s)", name, strings.Join(rulefile.Readable(), ", "))
	}
	res, err := rulefile.Read(format, bytes.NewReader(raw))
	if err != nil {
		return nil, format, usageError("%s: %v", name, err)
	}
	res.PrintRefused(e.stderr, name, maxRefusedShown)
	return res, format, nil
}

func (c *rulesClient) importFile(ctx context.Context, e env, fs *flag.FlagSet, args []string) error {
	formatFlag := fs.String("format", "", "the file's format (default: from its name, else its content): "+strings.Join(rulefile.Readable(), ", "))
	skip := fs.Bool("skip-refused", false, "import the lines the reader understood even if it refused others")
	dryRun := fs.Bool("dry-run", false, "print the difference against the current list (created, changed, unchanged, refused) and write nothing")
	flatten := fs.Bool("flatten", false, "point a move that starts a chain at its end (A→B→C becomes A→C; A→B→410 becomes A 410)")
	reasons := fs.String("reason-codes", "text", "text: keep a code-shaped reason of no catalog as free text; strict: refuse it")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("rules import needs one FILE")
	}
	if *reasons != "text" && *reasons != "strict" {
		return usageError("--reason-codes must be text or strict, not %q", *reasons)
	}
	name := pos[0]
	res, format, err := readRuleFile(e, name, *formatFlag)
	if err != nil {
		return err
	}
	if res.RefusedLines() > 0 && !*skip && !*dryRun {
		return &exitError{code: exitFailed, err: fmt.Errorf("rules import %s: %d lines refused; nothing imported (--skip-refused imports the other %d)", name, res.RefusedLines(), len(res.Rules))}
	}
	q := url.Values{}
	if *dryRun {
		q.Set("dryRun", "true")
	}
	if *flatten {
		q.Set("flatten", "true")
	}
	q.Set("reasonCodes", *reasons)
	if !*dryRun {
		fmt.Fprintf(e.stderr, "rules import %s: sending %d rules (one transaction on the server)\n", name, len(res.Rules))
	}
	stop := importTicker(e, len(res.Rules))
	var sum gone.RuleImport
	err = c.do(ctx, "POST", "/rules/import", q, map[string]any{"rules": res.Rules}, &sum)
	stop()
	if err != nil {
		if *dryRun {
			return err
		}
		return &exitError{code: exitFailed, err: fmt.Errorf("%v; nothing imported", err)}
	}
	// The reader's refusals are the dry run's too (the first
	// rulefile.MaxRefusedKept of them with their line).
	sum.Refused += res.RefusedLines()
	for _, r := range res.Refused {
		if *dryRun {
			sum.Rules = append(sum.Rules, gone.RuleDiff{Line: r.Line, Outcome: gone.RuleRefused, Error: r.Err})
		}
	}
	slices.SortStableFunc(sum.Rules, func(a, b gone.RuleDiff) int { return a.Line - b.Line })
	if c.remote.output == "json" {
		if err := json.NewEncoder(e.stdout).Encode(sum); err != nil {
			return err
		}
	} else {
		printImport(e.stdout, format, len(res.Rules)+res.RefusedLines(), sum)
	}
	if res.RefusedLines() > 0 && !*dryRun {
		return &exitError{code: exitFailed, err: fmt.Errorf("%d lines refused and skipped", res.RefusedLines())}
	}
	return nil
}

// diffMarks mark a diff line by its outcome.
var diffMarks = map[gone.RuleOutcome]string{gone.RuleCreated: "+", gone.RuleChanged: "~", gone.RuleUnchanged: "=", gone.RuleRefused: "!"}

// printImport prints an import's summary (and a dry run's diff) in the
// same words for both.
func printImport(w io.Writer, format string, n int, sum gone.RuleImport) {
	for _, d := range sum.Rules {
		where := ""
		if d.Line > 0 {
			where = fmt.Sprintf("line %d: ", d.Line)
		}
		switch {
		case d.Outcome == gone.RuleRefused && d.Key == "": // the reader refused the line
			fmt.Fprintf(w, "! %srefused: %s\n", where, d.Error)
		case d.Outcome == gone.RuleRefused:
			fmt.Fprintf(w, "! %s%s refused: %s\n", where, d.Key, d.Error)
		case d.Outcome == gone.RuleUnchanged:
			fmt.Fprintf(w, "= %s%s unchanged: %s\n", where, d.Key, d.Now)
		default:
			fmt.Fprintf(w, "%s %s%s %s: %s → %s\n", diffMarks[d.Outcome], where, d.Key, d.Outcome, d.Was, d.Now)
		}
	}
	verb := ""
	if sum.DryRun {
		verb = " would be"
	}
	fmt.Fprintf(w, "%d rules%s: %d created, %d changed, %d unchanged, %d refused", n, verb, sum.Created, sum.Changed, sum.Unchanged, sum.Refused)
	if sum.DryRun {
		fmt.Fprint(w, " (dry run: nothing was written)")
	}
	fmt.Fprintln(w)
	printImportNotes(w, format, sum)
}

// printImportNotes prints what an import found beside its counts: the
// moves it flattened, the chains and shadows, the reasons kept as text,
// and that a redirect-only format brought no 410s.
func printImportNotes(w io.Writer, format string, sum gone.RuleImport) {
	for _, f := range sum.Flattened {
		fmt.Fprintf(w, "flattened %s: %s → %s\n", f.Key, f.Was, f.Now)
	}
	for _, f := range sum.Findings {
		fmt.Fprintf(w, "%s: %s\n", f.Kind, f.Message)
	}
	if len(sum.ReasonsAsText) > 0 {
		var rs []string
		for r, k := range sum.ReasonsAsText {
			rs = append(rs, fmt.Sprintf("%s (%d)", r, k))
		}
		slices.Sort(rs)
		fmt.Fprintf(w, "reasons kept as free text, not in the catalog: %s (--reason-codes=strict refuses them)\n", strings.Join(rs, ", "))
	}
	if rulefile.RedirectOnly[format] {
		fmt.Fprintf(w, "%s carries redirects only: the list brought no 410s\n", format)
	}
}

// liveSpecs reads the live list: gone's own CSV export carries every
// rule as it is, so the CLI's export and check see what the server has.
func (c *rulesClient) liveSpecs(ctx context.Context) ([]gone.RuleSpec, error) {
	var raw []byte
	if err := c.do(ctx, "GET", "/rules/export", url.Values{"format": {rulefile.FormatCSV}}, nil, &raw); err != nil {
		return nil, err
	}
	res, err := rulefile.ReadCSV(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	if len(res.Refused) > 0 {
		return nil, fmt.Errorf("the server's list: %s", res.Refused[0])
	}
	return res.Rules, nil
}

func (c *rulesClient) export(ctx context.Context, e env, fs *flag.FlagSet, args []string) error {
	format := fs.String("format", "", "one of "+strings.Join(rulefile.Writable(), ", "))
	host := fs.String("host", "", "cloudflare: the site's host name, which source URLs need")
	page := fs.String("gone-page", "", "netlify: the page a 410 serves as its body (default /410.html)")
	mapFile := fs.String("map-file", "", "apache-map: where the map file will be, for the config lines in its header (default /etc/apache2/gone-map.txt)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noMore(pos); err != nil {
		return err
	}
	if !slices.Contains(rulefile.Writable(), *format) {
		return usageError("--format must be one of %s", strings.Join(rulefile.Writable(), ", "))
	}
	specs, err := c.liveSpecs(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	ex, err := rulefile.Write(*format, &buf, specs, time.Now(), rulefile.WriteOptions{Host: *host, GonePage: *page, MapFile: *mapFile})
	if err != nil {
		return usageError("%v", err)
	}
	if _, err := e.stdout.Write(buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "rules export %s: %d rules written, %d left out\n", *format, ex.Written, ex.LeftOut())
	for _, l := range ex.Left {
		what := "left out"
		if l.Written {
			what = "written"
		}
		fmt.Fprintf(e.stderr, "  %s %s: %s\n", what, l.Key, l.Why)
	}
	return nil
}

func (c *rulesClient) check(ctx context.Context, e env, fs *flag.FlagSet, args []string) error {
	format := fs.String("format", "", "FILE's format (default: from its name, else its content)")
	flatten := fs.Bool("flatten", false, "also print what rules import --flatten would change")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageError("rules check takes at most one FILE (none: the server's list)")
	}
	var specs []gone.RuleSpec
	what := "the list"
	if len(pos) == 1 {
		res, _, err := readRuleFile(e, pos[0], *format)
		if err != nil {
			return err
		}
		specs, what = res.Rules, pos[0]
	} else if specs, err = c.liveSpecs(ctx); err != nil {
		return err
	}
	findings := gone.CheckRules(specs)
	bad := 0
	for _, f := range findings {
		fmt.Fprintf(e.stdout, "%s: %s\n", f.Kind, f.Message)
		if f.Kind != gone.FindingShadow {
			bad++
		}
	}
	if *flatten {
		flat := slices.Clone(specs)
		for _, d := range gone.FlattenRules(nil, flat, time.Now()) {
			fmt.Fprintf(e.stdout, "flatten %s: %s → %s\n", d.Key, d.Was, d.Now)
		}
	}
	fmt.Fprintf(e.stdout, "%s: %d rules, %d findings\n", what, len(specs), len(findings))
	if bad > 0 {
		return &exitError{code: exitFailed, err: fmt.Errorf("%s has %d loops, chains or moves to retired paths", what, bad)}
	}
	return nil
}
