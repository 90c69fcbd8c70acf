package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/gonehttp/gone/client"
)

// remote holds the flags every client command shares.
type remote struct {
	url, token, output, lang string
}

// addRemoteFlags registers --url, --token, --output and --lang, with their
// environment fallbacks.
func addRemoteFlags(fs *flag.FlagSet, e env) *remote {
	r := &remote{}
	envStringVar(fs, e, &r.url, "url", "GONE_URL", "http://127.0.0.1:8080", "server URL")
	envStringVar(fs, e, &r.token, "token", "GONE_TOKEN", "", "bearer token")
	envStringVar(fs, e, &r.output, "output", "GONE_OUTPUT", "json", "output format: json or table")
	envStringVar(fs, e, &r.lang, "lang", "GONE_LANG", "", "language of the server's messages, e.g. en or es")
	return r
}

// client checks the shared flags and builds the client. Notices (Sunset,
// Deprecation) are told on stderr in plain words.
func (r *remote) client(e env) (*client.Client, error) {
	if r.output != "json" && r.output != "table" {
		return nil, usageError("--output must be json or table, not %q", r.output)
	}
	opts := []client.Option{
		client.WithNotice(func(n client.Notice) { tellNotice(e.stderr, n) }),
	}
	if r.token != "" {
		opts = append(opts, client.WithToken(r.token))
	}
	if r.lang != "" {
		opts = append(opts, client.WithLanguage(r.lang))
	}
	c, err := client.New(r.url, opts...)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return c, nil
}

// parseArgs parses flags wherever they appear among the arguments, so
// `gone delete users/42 --permanent` works like `gone delete --permanent
// users/42`, and returns the positional arguments.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// target reads "collection/id" (or "/api/collection/id", or two
// arguments) from the positional arguments; rest is what follows.
func target(pos []string) (collection, id string, rest []string, err error) {
	if len(pos) == 0 {
		return "", "", nil, usageError("missing the resource: give collection/id, e.g. users/123")
	}
	p := strings.TrimPrefix(strings.TrimPrefix(pos[0], "/"), "api/")
	if c, i, ok := strings.Cut(p, "/"); ok && c != "" && i != "" && !strings.Contains(i, "/") {
		return c, i, pos[1:], nil
	}
	if !strings.Contains(p, "/") && len(pos) >= 2 {
		return p, pos[1], pos[2:], nil
	}
	return "", "", nil, usageError("%q is not collection/id, e.g. users/123", pos[0])
}

// noMore refuses extra positional arguments.
func noMore(rest []string) error {
	if len(rest) > 0 {
		return usageError("unexpected arguments %q", rest)
	}
	return nil
}

// tellNotice says in words that a resource read is deprecated or going away.
func tellNotice(w io.Writer, n client.Notice) {
	path := n.URL
	if u, err := url.Parse(n.URL); err == nil {
		path = u.Path
	}
	if !n.Deprecation.IsZero() {
		fmt.Fprintf(w, "note: %s is deprecated since %s.\n", path, n.Deprecation.UTC().Format(time.RFC3339))
	}
	if !n.Sunset.IsZero() {
		fmt.Fprintf(w, "note: %s goes away at %s (Sunset); after that it answers 410 Gone.\n", path, n.Sunset.UTC().Format(time.RFC3339))
	}
	if n.Link != "" {
		fmt.Fprintf(w, "note: see %s\n", n.Link)
	}
}

// isGoneProblem reports whether an error answer is a gone server's own
// problem, rather than another server's page at that URL.
func isGoneProblem(ce *client.Error) bool {
	return strings.HasPrefix(ce.Type, "/problems/") || strings.Contains(ce.Type, "://") && strings.Contains(ce.Type, "/problems/")
}

// unreachable explains a request that got no answer at all.
func unreachable(r *remote, err error) error {
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("no gone server answers at %s; start one with `gone serve` or set GONE_URL/--url", r.url)
	case errors.As(err, &dns):
		return fmt.Errorf("cannot find the host of %s (%s); check GONE_URL/--url", r.url, dns.Err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return fmt.Errorf("the server at %s closed the connection without answering; it may have stopped", r.url)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("the server at %s did not answer in time", r.url)
	}
	return nil
}

// fail explains an error in words a person can act on and picks the exit
// code: 4 for gone, 3 for not found, 1 for everything else. With
// --output json the problem itself also goes to stdout, for scripts.
func fail(e env, r *remote, what string, err error) error {
	var ce *client.Error
	if !errors.As(err, &ce) {
		if u := unreachable(r, err); u != nil {
			return u
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	switch {
	case ce.Status == http.StatusNotFound && !isGoneProblem(ce):
		return fmt.Errorf("%s does not look like a gone server: it answered 404 without a gone problem; check GONE_URL/--url", r.url)
	case ce.Status == http.StatusUnauthorized && r.token == "":
		return fmt.Errorf("%s needs a token: give --token or set GONE_TOKEN", what)
	case ce.Status == http.StatusUnauthorized:
		return fmt.Errorf("%s: the server refused the token (401 Unauthorized: %s); check --token or GONE_TOKEN", what, strings.TrimSuffix(ce.Message, "."))
	case ce.Status == http.StatusForbidden:
		return fmt.Errorf("%s: this token may not do that (403 Forbidden: %s)", what, strings.TrimSuffix(ce.Message, "."))
	}
	if r.output == "json" && len(ce.Body) > 0 && ce.Body[0] == '{' {
		e.stdout.Write(ce.Body)
	}
	w := e.stderr
	msg := ce.Message
	if msg == "" {
		msg = ce.Detail
	}
	switch {
	case errors.Is(err, client.ErrGone):
		fmt.Fprintf(w, "gone: %s is gone for good (410 Gone).\n", what)
		showLine(w, "", msg)
		showTime(w, "deleted at:", ce.DeletedAt)
		showTime(w, "expired at:", ce.ExpiredAt)
		showLine(w, "reason:     ", ce.Reason)
		showLine(w, "alternative:", ce.Alternative)
		fmt.Fprintln(w, "It will not come back: remove it from caches and bookmarks; retrying will not help.")
		return &exitError{code: exitGone}
	case errors.Is(err, client.ErrNotFound):
		fmt.Fprintf(w, "gone: %s not found (404 Not Found).\n", what)
		showLine(w, "", msg)
		if !strings.Contains(msg, ce.Suggestion) {
			showLine(w, "did you mean:", ce.Suggestion)
		}
		fmt.Fprintln(w, "Check the collection and id; it may also exist later.")
		return &exitError{code: exitNotFound}
	case errors.Is(err, client.ErrUnavailable), errors.Is(err, client.ErrTooManyRequests):
		fmt.Fprintf(w, "gone: %s is temporarily unavailable (%d %s).\n", what, ce.Status, statusText(ce.Status))
		showLine(w, "", msg)
		switch {
		case !ce.AvailableAt.IsZero():
			// The body's availableAt is the real end; Retry-After is
			// capped by the server (--max-retry-after), so it may be
			// sooner.
			fmt.Fprintf(w, "  available again at %s", ce.AvailableAt.UTC().Format(time.RFC3339))
			if ce.RetryAfter > 0 {
				fmt.Fprintf(w, "; retry after %s", ce.RetryAfter)
			}
			fmt.Fprintln(w)
		case ce.RetryAfter > 0:
			at := time.Now().Add(ce.RetryAfter).UTC().Truncate(time.Second)
			fmt.Fprintf(w, "  retry after %s (at %s)\n", ce.RetryAfter, at.Format(time.RFC3339))
		default:
			fmt.Fprintln(w, "  retry later")
		}
		return &exitError{code: exitFailed}
	}
	fmt.Fprintf(w, "gone: %s: %d %s\n", what, ce.Status, statusText(ce.Status))
	showLine(w, "", msg)
	for f, p := range ce.Errors {
		fmt.Fprintf(w, "  %s: %s\n", f, p)
	}
	showTime(w, "deleted at:", ce.DeletedAt)
	showLine(w, "reason:     ", ce.Reason)
	return &exitError{code: exitFailed}
}

func showLine(w io.Writer, label, v string) {
	switch {
	case v == "":
	case label == "":
		fmt.Fprintf(w, "  %s\n", v)
	default:
		fmt.Fprintf(w, "  %s %s\n", label, v)
	}
}

func showTime(w io.Writer, label string, t time.Time) {
	if !t.IsZero() {
		fmt.Fprintf(w, "  %s  %s\n", label, t.UTC().Format(time.RFC3339))
	}
}
