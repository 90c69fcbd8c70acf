package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitNotFound = 3 // the server answered 404
	exitGone     = 4 // the server answered 410
)

// exitError carries an exit code out of run. A nil err means the message
// was already printed.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError reports a command-line mistake (exit 2).
func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// env is what a command may use of the process: nothing global, so tests
// run the real program in-process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

// commands is the whole command line, in the order the usage lists it.
var commands = []command{
	{"serve", "run the server", runServe},
	{"proxy", "put gone in front of a site or API: a reverse proxy with a gone list", runProxy},
	{"rules", "manage the proxy's path rules: add, list, rm, import, explain", runRules},
	{"inbox", "the 404 inbox: list the unknown paths asked for; answer them gone, redirect or ignore", runInbox},
	{"get", "read a resource (exit 3 if not found, 4 if gone)", runGet},
	{"put", "create or replace a resource from JSON", runPut},
	{"patch", "apply a JSON merge patch to a resource", runPatch},
	{"delete", "delete a resource (soft, or --permanent)", runDelete},
	{"restore", "bring a soft-deleted resource back", runRestore},
	{"move", "rename a resource; the old id answers 308", runMove},
	{"lifecycle", "show or change expiry, availability, deprecation", runLifecycle},
	{"list", "list a collection (live, or --state deleted|gone)", runList},
	{"audit", "show the audit log of lifecycle changes", runAudit},
	{"explain", "show how the server decides a resource's answer", runExplain},
	{"import", "create or replace many resources from JSON Lines or CSV", runImport},
	{"token", "create, list or revoke named tokens (offline with --db, or through the API)", runToken},
	{"webhooks", "subscribe receivers and caches to lifecycle changes: create, list, show, pause, resume, delete", runWebhooks},
	{"backup", "copy the SQLite database consistently, while it serves", runBackup},
	{"version", "print the version and VCS revision", runVersion},
}

// run is the whole program: main only calls it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		// As go does: bare gone is a usage mistake, told on stderr.
		printUsage(stderr)
		return &exitError{code: exitUsage}
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		printUsage(stdout)
		return nil
	case "-version", "--version":
		name = "version"
	}
	for _, cmd := range commands {
		if cmd.name == name {
			err := cmd.run(ctx, e, args[1:])
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	printUsage(stderr)
	return usageError("unknown command %q", args[0])
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `gone gives HTTP resources an honest lifecycle: 404, 410 Gone, 308, 503.

Usage: gone <command> [flags] [args]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Flags of every command that talks to a server (a flag wins over its variable):
  --url URL        the server (GONE_URL, default http://127.0.0.1:8080)
  --token TOKEN    bearer token; writes need the write scope (GONE_TOKEN)
  --output FORMAT  json or table (GONE_OUTPUT, default json)
  --lang LANG      language of the server's messages, en or es (GONE_LANG)

Environment of gone serve:
  GONE_ADDR, GONE_DB, GONE_CONFIG, GONE_PURGE_INTERVAL  defaults of its flags
  GONE_TLS_CERT, GONE_TLS_KEY  serve HTTPS with this certificate and key
  GONE_ADMIN_TOKEN  the admin token (made and printed once when unset)
  GONE_READ_TOKEN   a token that may read private collections
  GONE_LOG_LEVEL    debug, info, warn or error

Exit codes: 0 ok, 1 failed, 2 usage, 3 not found (404), 4 gone (410).
Run 'gone <command> --help' for a command's flags; 'gone --version' for the version.
`)
}

// newFlagSet returns a flag set that prints its usage to e.stderr and
// reports errors instead of exiting.
func newFlagSet(e env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: gone %s\n\nFlags:\n", usage)
		printFlags(e.stderr, fs)
	}
	return fs
}

// parseFlags parses args, turning a bad flag into a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: exitUsage}
	}
	return nil
}

// envOr returns the environment variable's value, or def.
func envOr(e env, name, def string) string {
	if v := strings.TrimSpace(e.getenv(name)); v != "" {
		return v
	}
	return def
}
