package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"text/tabwriter"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/inbox"
	"github.com/gonehttp/gone/inbox/crawler"
)

const inboxUsage = `inbox <list|gone|redirect|ignore|dismiss> [flags] [args]

  gone inbox list [--limit N]            the unknown paths asked for, most hits first
  gone inbox gone PATH [--reason TEXT] [--alternative URL]
                                         answer PATH 410 from now on
  gone inbox redirect PATH [TO]          answer PATH 308 to TO (default: gone's suggestion)
  gone inbox ignore PATTERN              never count paths matching PATTERN (*.php,
                                         /wp-login.php, /wp-admin/**)
  gone inbox dismiss PATH                take PATH out of the inbox, without a rule

gone serve records its unknown routes, gone proxy the paths its upstream
answers 404. gone, redirect and ignore take the entry out of the inbox; the
rule they make is audited like any rule. The commands talk to the admin API
of a running server (--url; --prefix "/" for gone serve) and need an admin
token.`

func runInbox(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(e.stderr, "Usage: gone %s\n", inboxUsage)
		if len(args) == 0 {
			return &exitError{code: exitUsage}
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet(e, "inbox "+sub, inboxUsage)
	r := addRemoteFlags(fs, e)
	prefix := envString(fs, e, "prefix", "GONE_ADMIN_PREFIX", "/_gone/", "the proxy's admin prefix; \"/\" for gone serve")
	c := &rulesClient{remote: r, prefix: prefix}
	switch sub {
	case "list":
		return inboxList(ctx, e, c, fs, args)
	case "gone":
		return inboxGone(ctx, e, c, fs, args)
	case "redirect":
		return inboxRedirect(ctx, e, c, fs, args)
	case "ignore":
		return inboxIgnore(ctx, e, c, fs, args)
	case "dismiss":
		return inboxDismiss(ctx, e, c, fs, args)
	}
	fmt.Fprintf(e.stderr, "Usage: gone %s\n", inboxUsage)
	return usageError("unknown inbox command %q", sub)
}

func inboxList(ctx context.Context, e env, c *rulesClient, fs *flag.FlagSet, args []string) error {
	limit := fs.Int("limit", 50, "how many entries (1 to 1000)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noMore(pos); err != nil {
		return err
	}
	if *limit < 1 || *limit > 1000 {
		return usageError("--limit must be 1 to 1000, not %d", *limit)
	}
	var page struct {
		Entries []inbox.Entry `json:"entries"`
	}
	if err := c.do(ctx, "GET", "/inbox", url.Values{"limit": {fmt.Sprint(*limit)}}, nil, &page); err != nil {
		return err
	}
	if c.remote.output == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(page)
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HITS\tCRAWLERS\tLAST SEEN\tPATH\tSUGGESTION\tTOP REFERRER")
	for _, en := range page.Entries {
		ref := ""
		if len(en.Referrers) > 0 {
			ref = en.Referrers[0].URL
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\n", en.Hits, en.CrawlerHits, en.LastSeen.Format(time.RFC3339), en.Path, en.Suggestion, ref)
	}
	return tw.Flush()
}

func inboxGone(ctx context.Context, e env, c *rulesClient, fs *flag.FlagSet, args []string) error {
	reason := fs.String("reason", "", "why, shown to callers of the 410 (a reason code or text)")
	alt := fs.String("alternative", "", "a path or URL to use instead")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("inbox gone needs PATH")
	}
	var row ruleRow
	body := map[string]string{"path": pos[0], "reason": *reason, "alternative": *alt}
	if err := c.do(ctx, "POST", "/inbox/gone", nil, body, &row); err != nil {
		return err
	}
	return c.print(e, row, []ruleRow{row})
}

func inboxRedirect(ctx context.Context, e env, c *rulesClient, fs *flag.FlagSet, args []string) error {
	status := fs.Int("status", 0, "301 or 308 (the default)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 1 || len(pos) > 2 {
		return usageError("inbox redirect needs PATH and, unless gone suggests one, TO")
	}
	to := ""
	if len(pos) == 2 {
		to = pos[1]
	} else {
		var en inbox.Entry
		if err := c.do(ctx, "GET", "/inbox/entry", url.Values{"path": {pos[0]}}, nil, &en); err != nil {
			return err
		}
		if en.Suggestion == "" {
			return usageError("gone knows no path near %s: say where it should go (inbox redirect PATH TO)", pos[0])
		}
		to = en.Suggestion
	}
	var row ruleRow
	body := map[string]any{"path": pos[0], "to": to}
	if *status != 0 {
		body["status"] = *status
	}
	if err := c.do(ctx, "POST", "/inbox/redirect", nil, body, &row); err != nil {
		return err
	}
	return c.print(e, row, []ruleRow{row})
}

func inboxIgnore(ctx context.Context, e env, c *rulesClient, fs *flag.FlagSet, args []string) error {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("inbox ignore needs one PATTERN")
	}
	var res struct {
		gone.IgnorePattern
		Removed int `json:"removed"`
	}
	if err := c.do(ctx, "POST", "/inbox/ignores", nil, map[string]string{"pattern": pos[0]}, &res); err != nil {
		return err
	}
	if c.remote.output == "json" {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	fmt.Fprintf(e.stdout, "ignoring %s; %d entries left the inbox\n", res.Pattern, res.Removed)
	return nil
}

func inboxDismiss(ctx context.Context, e env, c *rulesClient, fs *flag.FlagSet, args []string) error {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("inbox dismiss needs PATH")
	}
	if err := c.do(ctx, "DELETE", "/inbox", url.Values{"path": {pos[0]}}, nil, nil); err != nil {
		return err
	}
	if c.remote.output != "json" {
		fmt.Fprintf(e.stdout, "%s left the inbox\n", pos[0])
	}
	return nil
}

// inboxFlags are serve's and proxy's flags of the 404 inbox.
type inboxFlags struct {
	on         *bool
	maxEntries *int
	flush      *time.Duration
}

func addInboxFlags(fs *flag.FlagSet, e env) (inboxFlags, error) {
	f := inboxFlags{
		on:         fs.Bool("inbox", envOr(e, "GONE_INBOX", "true") != "false", "record the unknown paths asked for in the 404 inbox (env GONE_INBOX=false turns it off)"),
		maxEntries: fs.Int("inbox-max-entries", inbox.DefaultMaxStored, "the most entries the 404 inbox stores (the fewest hits go first)"),
	}
	d, err := envDuration(e, "GONE_INBOX_FLUSH", inbox.DefaultFlushEvery, time.Second)
	if err != nil {
		return f, err
	}
	f.flush = fs.Duration("inbox-flush", d, "how often the 404 inbox's counts reach the store, in one write (env GONE_INBOX_FLUSH)")
	return f, nil
}

// start runs the recorder until the returned stop is called (which
// flushes once more). It returns nils when the inbox is off or the store
// keeps none.
func (f inboxFlags) start(ctx context.Context, b *backend) (*inbox.Recorder, gone.InboxStore, func(), error) {
	if !*f.on {
		return nil, nil, func() {}, nil
	}
	if *f.maxEntries < 1 {
		return nil, nil, nil, usageError("--inbox-max-entries must be 1 or more, not %d", *f.maxEntries)
	}
	if b.inbox == nil {
		return nil, nil, func() {}, nil
	}
	rec := inbox.NewRecorder(b.inbox, inbox.Options{MaxStored: *f.maxEntries, FlushEvery: *f.flush,
		IsCrawler: crawler.New().IsCrawler, Now: b.svc.Now, Log: b.log})
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { defer close(done); rec.Run(rctx) }()
	return rec, b.inbox, func() { cancel(); <-done }, nil
}
