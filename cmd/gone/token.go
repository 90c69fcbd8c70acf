package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/client"
)

const tokenUsage = `token create NAME [--scope read|write|admin] [--collection C1,C2] [--expires 30d|RFC3339] [flags]
       gone token list [flags]
       gone token revoke NAME [flags]

Named tokens are kept in the database as a hash; a new token's secret is
printed once and cannot be shown again. With --db (or GONE_DB) the command
works on the database directly (no server needed; a running server sees the
change on its next request); otherwise it goes through the API at --url with
an admin --token. Exit codes: 0 ok, 1 failed, 2 usage, 3 no such token, 4
token already revoked.`

// tokenFlags are the flags every token subcommand takes.
type tokenFlags struct {
	remote *remote
	db     *string
	config *string
	fs     *flag.FlagSet
}

func addTokenFlags(e env, fs *flag.FlagSet) *tokenFlags {
	return &tokenFlags{
		remote: addRemoteFlags(fs, e),
		db:     envString(fs, e, "db", "GONE_DB", "", "work on this SQLite file or postgres:// URL directly, not through the API"),
		config: envString(fs, e, "config", "GONE_CONFIG", "", "with --db: the collections config, to check --collection against"),
		fs:     fs,
	}
}

// offline reports whether to work on the database: --db given, or GONE_DB
// set and --url not given. Both --db and --url is a usage error.
func (f *tokenFlags) offline() (bool, error) {
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if set["db"] && set["url"] {
		return false, usageError("give --db (work on the database) or --url (work through the API), not both")
	}
	return set["db"] || *f.db != "" && !set["url"], nil
}

// service opens the database for offline work. A SQLite path that does
// not exist is refused: a token created in a new, empty file by a typo
// would authenticate nothing.
// run calls local with the database's service when the command works on
// the file (--db), and remote with an API client otherwise.
func (f *tokenFlags) run(ctx context.Context, e env, local func(*gone.Service) error, remote func(*client.Client) error) error {
	offline, err := f.offline()
	if err != nil {
		return err
	}
	if offline {
		svc, done, err := f.service(ctx)
		if err != nil {
			return err
		}
		defer done()
		return local(svc)
	}
	c, err := f.remote.client(e)
	if err != nil {
		return err
	}
	return remote(c)
}

func (f *tokenFlags) service(ctx context.Context) (*gone.Service, func(), error) {
	if !strings.HasPrefix(*f.db, "postgres://") && !strings.HasPrefix(*f.db, "postgresql://") {
		if _, err := os.Stat(*f.db); err != nil {
			return nil, nil, fmt.Errorf("token: %w (start the server once to create the database)", err)
		}
	}
	var cfg *gone.Config
	if *f.config != "" {
		var err error
		if cfg, _, err = loadConfig(*f.config); err != nil {
			return nil, nil, err
		}
	}
	store, err := openStore(ctx, *f.db)
	if err != nil {
		return nil, nil, err
	}
	if _, ok := store.(gone.TokenStore); !ok {
		store.Close()
		return nil, nil, fmt.Errorf("token: %T keeps no tokens", store)
	}
	svc := gone.NewService(store, cfg)
	return svc, func() { store.Close() }, nil
}

// offlineCaller is who an offline change is audited as: the operating
// system user, marked so it cannot be mistaken for a token's name.
func offlineCaller(e env) gone.Caller {
	user := envOr(e, "USER", "unknown")
	return gone.Caller{Name: "offline:" + user, Scopes: []gone.Scope{gone.ScopeAdmin}}
}

func runToken(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(e.stderr, "Usage: gone %s\n\nRun 'gone token create --help' for the flags.\n", tokenUsage)
		if len(args) == 0 {
			return &exitError{code: exitUsage}
		}
		return nil
	}
	switch args[0] {
	case "create":
		return runTokenCreate(ctx, e, args[1:])
	case "list":
		return runTokenList(ctx, e, args[1:])
	case "revoke":
		return runTokenRevoke(ctx, e, args[1:])
	}
	return usageError("unknown token command %q: want create, list or revoke", args[0])
}

func runTokenCreate(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "token create", tokenUsage)
	scope := fs.String("scope", "read", "what the token may do: read, write or admin (write includes read, admin write)")
	colls := fs.String("collection", "", "comma-separated collections the token is restricted to; empty for every collection")
	expires := fs.String("expires", "", "when the token stops working: a duration such as 30d or 12h, or an RFC 3339 time; empty for never")
	f := addTokenFlags(e, fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("token create takes one argument, the token's name")
	}
	req := client.TokenRequest{Name: pos[0], Scopes: strings.Split(*scope, ",")}
	if *colls != "" {
		req.Collections = strings.Split(*colls, ",")
	}
	var at time.Time
	var life time.Duration
	if *expires != "" {
		if at, err = time.Parse(time.RFC3339, *expires); err == nil {
			req.ExpiresAt = at.UTC().Format(time.RFC3339)
		} else if life, err = gone.ParseDuration(*expires); err == nil && life > 0 {
			req.ExpiresIn = *expires
		} else {
			return usageError("--expires %q: want a duration such as 30d or an RFC 3339 time", *expires)
		}
	}
	var tok client.Token
	err = f.run(ctx, e, func(svc *gone.Service) error {
		dr := gone.TokenRequest{Name: req.Name, Collections: req.Collections, ExpiresAt: at}
		for _, s := range req.Scopes {
			dr.Scopes = append(dr.Scopes, gone.Scope(s))
		}
		if life > 0 {
			dr.ExpiresAt = svc.Now().Add(life)
		}
		secret, t, err := svc.CreateToken(ctx, offlineCaller(e), dr)
		if err != nil {
			return offlineFail("token create "+req.Name, err)
		}
		tok = clientToken(t, svc.Now())
		tok.Secret = secret
		return nil
	}, func(c *client.Client) error {
		t, err := c.CreateToken(ctx, req)
		if err != nil {
			return fail(e, f.remote, "token create "+req.Name, err)
		}
		tok = *t
		return nil
	})
	if err != nil {
		return err
	}
	if err := printToken(e, f.remote, tok); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "Store the secret now: the server keeps only its hash and cannot show it again.")
	return nil
}

func runTokenList(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "token list", tokenUsage)
	f := addTokenFlags(e, fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noMore(pos); err != nil {
		return err
	}
	var toks []client.Token
	err = f.run(ctx, e, func(svc *gone.Service) error {
		ts, err := svc.ListTokens(ctx, offlineCaller(e))
		if err != nil {
			return offlineFail("token list", err)
		}
		for _, t := range ts {
			toks = append(toks, clientToken(t, svc.Now()))
		}
		return nil
	}, func(c *client.Client) error {
		var err error
		if toks, err = c.Tokens(ctx); err != nil {
			return fail(e, f.remote, "token list", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if f.remote.output == "json" {
		for _, t := range toks {
			if err := printLine(e.stdout, t); err != nil {
				return err
			}
		}
		return nil
	}
	rows := make([][]string, 0, len(toks))
	for _, t := range toks {
		colls := strings.Join(t.Collections, ",")
		if colls == "" {
			colls = "*"
		}
		rows = append(rows, []string{t.Name, strings.Join(t.Scopes, ","), colls, t.State, stampOrDash(t.ExpiresAt), t.CreatedBy})
	}
	return table(e.stdout, []string{"NAME", "SCOPES", "COLLECTIONS", "STATE", "EXPIRES", "CREATED BY"}, rows)
}

func runTokenRevoke(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "token revoke", tokenUsage)
	f := addTokenFlags(e, fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("token revoke takes one argument, the token's name")
	}
	var tok client.Token
	err = f.run(ctx, e, func(svc *gone.Service) error {
		t, err := svc.RevokeToken(ctx, offlineCaller(e), pos[0])
		if err != nil {
			return offlineFail("token revoke "+pos[0], err)
		}
		tok = clientToken(t, svc.Now())
		return nil
	}, func(c *client.Client) error {
		t, err := c.RevokeToken(ctx, pos[0])
		if err != nil {
			return fail(e, f.remote, "token revoke "+pos[0], err)
		}
		tok = *t
		return nil
	})
	if err != nil {
		return err
	}
	return printToken(e, f.remote, tok)
}

func printToken(e env, r *remote, t client.Token) error {
	if r.output != "json" && r.output != "table" {
		return usageError("--output must be json or table, not %q", r.output)
	}
	if r.output == "table" {
		return printFields(e.stdout, t)
	}
	return printJSON(e.stdout, t)
}

// clientToken shows a stored token as the API does.
func clientToken(t *gone.Token, now time.Time) client.Token {
	scopes := make([]string, len(t.Scopes))
	for i, s := range t.Scopes {
		scopes[i] = string(s)
	}
	return client.Token{
		Name: t.Name, Scopes: scopes, Collections: t.Collections, State: string(t.State(now)),
		CreatedAt: t.CreatedAt, CreatedBy: t.CreatedBy, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt, RevokedBy: t.RevokedBy,
	}
}

// offlineFail explains a refused offline change and picks the exit code as
// fail does for the API's answers.
func offlineFail(what string, err error) error {
	var ge *gone.Error
	if !errors.As(err, &ge) || ge.Code == gone.EINTERNAL {
		return fmt.Errorf("%s: %w", what, err)
	}
	code := exitFailed
	switch ge.Code {
	case gone.ENOTFOUND:
		code = exitNotFound
	case gone.EGONE:
		code = exitGone
	}
	return &exitError{code: code, err: fmt.Errorf("%s: %s", what, ge.Message)}
}

func stampOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
