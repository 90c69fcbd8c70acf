package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/gonehttp/gone"
)

const rulesUsage = `rules <add|list|rm|import|export|check|explain> [flags] [args]

  gone rules add PATH[*] gone|moved|unavailable|removed [--to URL] [--status 301]
                 [--at TIME|+2h] [--reason TEXT] [--alternative URL]
  gone rules list [--limit N] [--page-size N]
  gone rules rm PATH[*]                 send the path back to the upstream
  gone rules import FILE [--format F] [--dry-run] [--flatten]
                 [--reason-codes text|strict] [--skip-refused]
  gone rules export --format F [--host HOST] [--gone-page PATH] [--map-file PATH]
  gone rules check [FILE [--format F]] [--flatten]
  gone rules explain PATH               how the proxy answers PATH, and why

A PATH ending in * is a prefix. The commands talk to the rules API of a
running proxy (--url, below --prefix) and need an admin token; check of a
FILE needs no server. An import applies every rule or none: a line the
reader refuses (printed with its number) stops the import unless
--skip-refused, and the server applies the rest in one transaction.
--dry-run prints the difference against the current list and writes
nothing. Import formats: nginx, apache, csv, netlify (_redirects),
netlify-toml, vercel, vercel-bulk, caddy, iis (web.config), wordpress,
wordpress-csv, cloudflare, shopify. Export formats: nginx, nginx-map,
apache, apache-map, csv, netlify, caddy, haproxy, iis, vercel, cloudflare,
shopify.
docs/proxy.md says what each can and cannot carry.`

func runRules(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		// The flags every rules command shares; each command's --help
		// adds its own.
		fs, _ := newRulesFlags(e, "rules")
		fs.Usage()
		if len(args) == 0 {
			return &exitError{code: exitUsage}
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs, rc := newRulesFlags(e, "rules "+sub)
	switch sub {
	case "add":
		return rc.add(ctx, e, fs, args)
	case "list":
		return rc.list(ctx, e, fs, args)
	case "rm":
		return rc.rm(ctx, e, fs, args)
	case "import":
		return rc.importFile(ctx, e, fs, args)
	case "export":
		return rc.export(ctx, e, fs, args)
	case "check":
		return rc.check(ctx, e, fs, args)
	case "explain":
		return rc.explain(ctx, e, fs, args)
	}
	fmt.Fprintf(e.stderr, "Usage: gone %s\n", rulesUsage)
	return usageError("unknown rules command %q", sub)
}

// newRulesFlags returns the flag set of a rules command with the flags
// they all share.
func newRulesFlags(e env, name string) (*flag.FlagSet, *rulesClient) {
	fs := newFlagSet(e, name, rulesUsage)
	r := addRemoteFlags(fs, e)
	prefix := envString(fs, e, "prefix", "GONE_ADMIN_PREFIX", "/_gone/", "the proxy's admin prefix; \"/\" for gone serve")
	return fs, &rulesClient{remote: r, prefix: prefix}
}

type rulesClient struct {
	remote *remote
	prefix *string
}

// do sends one request to the rules API and decodes a 2xx JSON answer into
// out. A problem becomes an error that says what the server said, with
// every field error (a refused import line) on its own line.
func (c *rulesClient) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	if c.remote.output != "json" && c.remote.output != "table" {
		return usageError("--output must be json or table, not %q", c.remote.output)
	}
	u := strings.TrimSuffix(c.remote.url, "/")
	if p := strings.Trim(*c.prefix, "/"); p != "" {
		u += "/" + p
	}
	u += path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return usageError("%v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.remote.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.remote.token)
	}
	if c.remote.lang != "" {
		req.Header.Set("Accept-Language", c.remote.lang)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var p struct{ Message string }
		json.Unmarshal(raw, &p)
		msg := fmt.Sprintf("%s %s: %d %s", method, path, resp.StatusCode, http.StatusText(resp.StatusCode))
		if p.Message != "" {
			msg += ": " + p.Message
		}
		if resp.StatusCode == http.StatusNotFound && method != "DELETE" && strings.Trim(*c.prefix, "/") != "" {
			// Only DELETE answers 404 for a rule; elsewhere the route is
			// missing, most often because --url is gone serve, which
			// keeps its rules at /rules.
			msg += fmt.Sprintf("\n(no rules API below %s at %s: against gone serve, give --prefix /)", *c.prefix, c.remote.url)
		}
		return &exitError{code: exitFailed, err: errors.New(msg)}
	}
	if out == nil {
		return nil // 204: nothing to read
	}
	if b, ok := out.(*[]byte); ok {
		*b = raw
		return nil
	}
	return json.Unmarshal(raw, out)
}

type ruleRow struct {
	Key              string `json:"key"`
	State            string `json:"state"`
	Status           int    `json:"status"`
	MovedTo          string `json:"movedTo,omitempty"`
	DeletedAt        string `json:"deletedAt,omitempty"`
	ExpiresAt        string `json:"expiresAt,omitempty"`
	UnavailableUntil string `json:"unavailableUntil,omitempty"`
	Reason           string `json:"reason,omitempty"`
	Alternative      string `json:"alternative,omitempty"`
	Outcome          string `json:"outcome,omitempty"`
}

func (c *rulesClient) print(e env, v any, rows []ruleRow) error {
	if c.remote.output == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tANSWER\tSTATE\tDETAIL")
	for _, r := range rows {
		answer := "upstream"
		if r.Status != 0 {
			answer = fmt.Sprint(r.Status)
		}
		var detail []string
		for _, d := range [][2]string{{"to", r.MovedTo}, {"deleted", r.DeletedAt}, {"expires", r.ExpiresAt}, {"until", r.UnavailableUntil}, {"reason", r.Reason}, {"instead", r.Alternative}} {
			if d[1] != "" {
				detail = append(detail, d[0]+" "+d[1])
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Key, answer, r.State, strings.Join(detail, "; "))
	}
	return tw.Flush()
}

func (c *rulesClient) add(ctx context.Context, e env, fs *flag.FlagSet, args []string) error {
	to := fs.String("to", "", "moved: the new path or URL")
	status := fs.Int("status", 0, "moved: 301 or 308 (the default)")
	atStr := fs.String("at", "", "gone: when the path went (past) or goes (future); unavailable: until when (RFC 3339, or +DURATION from now such as +2h)")
	reason := fs.String("reason", "", "why, shown to callers of a 410")
	alt := fs.String("alternative", "", "a path or URL to use instead")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageError("rules add needs PATH and an action (gone, moved, unavailable, removed)")
	}
	spec := gone.RuleSpec{Action: gone.RuleAction(pos[1]), To: *to, Status: *status, Reason: *reason, Alternative: *alt}
	spec.Path = pos[0]
	if *atStr != "" {
		// +DURATION spares the reader GNU date's -d, which BSD date lacks.
		t, err := parseWhen(*atStr, time.Now())
		if err != nil || t.IsZero() {
			return usageError("--at %q: want RFC 3339 (2026-12-01T06:00:00Z) or +DURATION from now (+2h)", *atStr)
		}
		spec.At = t
	}
	var row ruleRow
	if err := c.do(ctx, "POST", "/rules", nil, spec, &row); err != nil {
		return err
	}
	return c.print(e, row, []ruleRow{row})
}

func (c *rulesClient) list(ctx context.Context, e env, fs *flag.FlagSet, args []string) error {
	pageSize := fs.Int("page-size", gone.MaxListLimit, "rules per request (1 to 500)")
	limit := fs.Int("limit", 0, "stop after this many rules (0: all)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noMore(pos); err != nil {
		return err
	}
	if *pageSize < 1 || *pageSize > gone.MaxListLimit {
		return usageError("--page-size must be 1 to %d, not %d", gone.MaxListLimit, *pageSize)
	}
	if *limit < 0 {
		return usageError("--limit must be 0 (all) or more, not %d", *limit)
	}
	// The server pages the rules; following next to the end prints them
	// all, as one body (JSON) or one table, whatever their number.
	var out struct {
		Rules []ruleRow `json:"rules"`
	}
	out.Rules = []ruleRow{}
	cursor := ""
	for {
		q := url.Values{"limit": {fmt.Sprint(*pageSize)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Rules []ruleRow `json:"rules"`
			Next  string    `json:"next"`
		}
		if err := c.do(ctx, "GET", "/rules", q, nil, &page); err != nil {
			return err
		}
		out.Rules = append(out.Rules, page.Rules...)
		if *limit > 0 && len(out.Rules) >= *limit {
			out.Rules = out.Rules[:*limit]
			break
		}
		// A next equal to the cursor sent would loop forever: stop.
		if page.Next == "" || page.Next == cursor {
			break
		}
		cursor = page.Next
	}
	return c.print(e, out, out.Rules)
}

func (c *rulesClient) rm(ctx context.Context, e env, fs *flag.FlagSet, args []string) error {
	reason := fs.String("reason", "", "why, for the audit log")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("rules rm needs PATH")
	}
	var row ruleRow
	if err := c.do(ctx, "DELETE", "/rules", url.Values{"path": {pos[0]}, "reason": {*reason}}, nil, &row); err != nil {
		return err
	}
	return c.print(e, row, []ruleRow{row})
}

func (c *rulesClient) explain(ctx context.Context, e env, fs *flag.FlagSet, args []string) error {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("rules explain needs PATH")
	}
	var ex struct {
		Path       string      `json:"path"`
		Normalized string      `json:"normalized"`
		Rule       *ruleRow    `json:"rule"`
		Steps      []gone.Step `json:"steps"`
		Status     int         `json:"status"`
		Answer     string      `json:"answer"`
		Location   string      `json:"location"`
	}
	if err := c.do(ctx, "GET", "/rules/explain", url.Values{"path": {pos[0]}}, nil, &ex); err != nil {
		return err
	}
	if c.remote.output == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ex)
	}
	for _, s := range ex.Steps {
		fmt.Fprintf(e.stdout, "%-38s %s\n", s.Question, s.Answer)
	}
	switch {
	case ex.Status == 0:
		fmt.Fprintln(e.stdout, "=> passed to the upstream")
	case ex.Location != "":
		fmt.Fprintf(e.stdout, "=> %d %s, Location: %s\n", ex.Status, http.StatusText(ex.Status), ex.Location)
	default:
		fmt.Fprintf(e.stdout, "=> %d %s\n", ex.Status, http.StatusText(ex.Status))
	}
	return nil
}

// importTicker shows, on a terminal, how long the server has been applying
// an import: it is one transaction, so there is no count to show, only
// that it is still going. stop clears the line.
func importTicker(e env, n int) (stop func()) {
	if !isTerminal(e.stderr) {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(e.stderr, "\r\033[K")
				return
			case <-t.C:
				fmt.Fprintf(e.stderr, "\r  applying %d rules… %s", n, time.Since(start).Truncate(time.Second))
			}
		}
	}()
	return func() { close(done); <-finished }
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// maxRefusedShown is how many refused lines an import prints before it
// only counts the rest: the first are the ones to fix.
const maxRefusedShown = 20
