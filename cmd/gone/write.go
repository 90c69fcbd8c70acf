package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gonehttp/gone/client"
)

// bodyFlags are --data and --file, the two ways to give a JSON body;
// without either the body is read from stdin.
type bodyFlags struct{ data, file string }

func addBodyFlags(fs *flag.FlagSet) *bodyFlags {
	b := &bodyFlags{}
	fs.StringVar(&b.data, "data", "", "the JSON body, inline")
	fs.StringVar(&b.file, "file", "", "read the JSON body from this file (- for stdin)")
	return b
}

func (b *bodyFlags) read(e env) (json.RawMessage, error) {
	var raw []byte
	var err error
	switch {
	case b.data != "" && b.file != "":
		return nil, usageError("give --data or --file, not both")
	case b.data != "":
		raw = []byte(b.data)
	case b.file != "" && b.file != "-":
		raw, err = os.ReadFile(b.file)
	default:
		raw, err = io.ReadAll(e.stdin)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the body: %w", err)
	}
	if !json.Valid(raw) {
		return nil, usageError("the body is not valid JSON")
	}
	return raw, nil
}

// condFlags are --if-match and --if-none-match: the write happens only if
// the resource's ETag (the version the lifecycle view shows, quoted: "3")
// matches, or does not. A failed one exits 1 with the server's 412 and
// changes nothing. With either flag a PUT is also retried after a dropped
// connection or a 503, which is safe: a repeat of a PUT that landed fails
// its precondition instead of overwriting.
type condFlags struct{ ifMatch, ifNoneMatch string }

func addCondFlags(fs *flag.FlagSet) *condFlags {
	c := &condFlags{}
	fs.StringVar(&c.ifMatch, "if-match", "", `write only if the current ETag is this one (e.g. '"3"'), or "*" if it exists`)
	noneMatch := "write only if the current ETag is not this one"
	if fs.Name() == "put" {
		noneMatch += `; "*" makes put create-only`
	}
	fs.StringVar(&c.ifNoneMatch, "if-none-match", "", noneMatch)
	return c
}

func (c *condFlags) options() []client.WriteOption {
	var opts []client.WriteOption
	if c.ifMatch != "" {
		opts = append(opts, client.IfMatch(quoteETag(c.ifMatch)))
	}
	if c.ifNoneMatch != "" {
		opts = append(opts, client.IfNoneMatch(quoteETag(c.ifNoneMatch)))
	}
	return opts
}

// quoteETag accepts a bare version (3) for the quoted entity tag ("3")
// that the shell makes awkward to type.
func quoteETag(v string) string {
	if v == "*" || strings.ContainsAny(v, `",`) {
		return v
	}
	return `"` + v + `"`
}

// resourceArgs parses flags and the COLLECTION/ID argument; rest is what
// follows it.
func resourceArgs(fs *flag.FlagSet, args []string) (coll, id string, rest []string, err error) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return "", "", nil, err
	}
	return target(pos)
}

// oneResource is the start of most commands: flags, exactly one
// COLLECTION/ID, and the client for --url and --token.
func oneResource(e env, fs *flag.FlagSet, r *remote, args []string) (c *client.Client, coll, id string, err error) {
	coll, id, rest, err := resourceArgs(fs, args)
	if err == nil {
		err = noMore(rest)
	}
	if err == nil {
		c, err = r.client(e)
	}
	return c, coll, id, err
}

func runPut(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "put", "put [flags] COLLECTION/ID [--data JSON | --file FILE | < FILE]\n\nCreates or replaces the resource and prints what was stored. Needs a token with the write scope.")
	r := addRemoteFlags(fs, e)
	cond := addCondFlags(fs)
	b := addBodyFlags(fs)
	c, coll, id, err := oneResource(e, fs, r, args)
	if err != nil {
		return err
	}
	body, err := b.read(e)
	if err != nil {
		return err
	}
	var out json.RawMessage
	created, err := c.Put(ctx, coll, id, body, &out, cond.options()...)
	if err != nil {
		return fail(e, r, "put "+coll+"/"+id, err)
	}
	verb := "replaced"
	if created {
		verb = "created"
	}
	fmt.Fprintf(e.stderr, "%s %s/%s\n", verb, coll, id)
	return printLifecycle(e, r, out)
}

func runPatch(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "patch", "patch [flags] COLLECTION/ID [--data JSON | --file FILE | < FILE]\n\nApplies a JSON merge patch (RFC 7396: null removes a member). Needs a token with the write scope.")
	r := addRemoteFlags(fs, e)
	cond := addCondFlags(fs)
	b := addBodyFlags(fs)
	c, coll, id, err := oneResource(e, fs, r, args)
	if err != nil {
		return err
	}
	body, err := b.read(e)
	if err != nil {
		return err
	}
	var out json.RawMessage
	if err := c.Patch(ctx, coll, id, body, &out, cond.options()...); err != nil {
		return fail(e, r, "patch "+coll+"/"+id, err)
	}
	return printLifecycle(e, r, out)
}

func runDelete(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "delete", "delete [flags] COLLECTION/ID [--permanent] [--reason R] [--alternative URL]\n\nSoft-deletes where the collection has a restore window (the public sees 404, restore brings it back); --permanent erases it for good (410 forever). Needs a token with the write scope.")
	r := addRemoteFlags(fs, e)
	cond := addCondFlags(fs)
	var opt client.DeleteOptions
	fs.BoolVar(&opt.Permanent, "permanent", false, "delete for good: erase the payload, answer 410 forever")
	fs.StringVar(&opt.Reason, "reason", "", "reason code from the server's catalog (e.g. user_request) or free text")
	fs.StringVar(&opt.Alternative, "alternative", "", "path or URL callers should use instead")
	c, coll, id, err := oneResource(e, fs, r, args)
	if err != nil {
		return err
	}
	l, err := c.Delete(ctx, coll, id, opt, cond.options()...)
	if err != nil {
		return fail(e, r, "delete "+coll+"/"+id, err)
	}
	return printLifecycle(e, r, l)
}

func runRestore(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "restore", "restore [flags] COLLECTION/ID\n\nBrings a soft-deleted resource back while its restore window lasts. Needs a token with the write scope.")
	r := addRemoteFlags(fs, e)
	cond := addCondFlags(fs)
	c, coll, id, err := oneResource(e, fs, r, args)
	if err != nil {
		return err
	}
	l, err := c.Restore(ctx, coll, id, cond.options()...)
	if err != nil {
		return fail(e, r, "restore "+coll+"/"+id, err)
	}
	return printLifecycle(e, r, l)
}

func runMove(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "move", "move [flags] COLLECTION/ID NEW-ID\n\nRenames a live resource; the old id answers 308 to the new one. Needs a token with the write scope.")
	r := addRemoteFlags(fs, e)
	cond := addCondFlags(fs)
	coll, id, rest, err := resourceArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("move needs the new id: gone move %s/%s NEW-ID", coll, id)
	}
	c, err := r.client(e)
	if err != nil {
		return err
	}
	l, err := c.Move(ctx, coll, id, rest[0], cond.options()...)
	if err != nil {
		return fail(e, r, "move "+coll+"/"+id, err)
	}
	return printLifecycle(e, r, l)
}

func runLifecycle(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "lifecycle", "lifecycle [flags] COLLECTION/ID [--expires-at T] [--unavailable-until T] [--deprecated-at T] [--alternative URL]\n\nWithout change flags, shows the resource's lifecycle and history. T is an RFC 3339 time, or +DURATION from now (+24h); \"none\" clears a field. Needs an admin token.")
	r := addRemoteFlags(fs, e)
	cond := addCondFlags(fs)
	expires := fs.String("expires-at", "", "when the resource expires (410 from then on)")
	unavailable := fs.String("unavailable-until", "", "answer 503 until then")
	deprecated := fs.String("deprecated-at", "", "deprecation date (Deprecation header)")
	alternative := fs.String("alternative", "", "path or URL to use instead")
	c, coll, id, err := oneResource(e, fs, r, args)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var ch client.LifecycleChange
	now := time.Now()
	for name, dst := range map[string]struct {
		v   string
		dst *client.Change[time.Time]
	}{"expires-at": {*expires, &ch.ExpiresAt}, "unavailable-until": {*unavailable, &ch.UnavailableUntil}, "deprecated-at": {*deprecated, &ch.DeprecatedAt}} {
		if !set[name] {
			continue
		}
		t, err := parseWhen(dst.v, now)
		if err != nil {
			return usageError("--%s: %v", name, err)
		}
		*dst.dst = client.Change[time.Time]{Set: true, Value: t}
	}
	if set["alternative"] {
		v := *alternative
		if v == "none" {
			v = ""
		}
		ch.Alternative = client.SetTo(v)
	}
	var l *client.Lifecycle
	if len(set) == 0 || onlyRemote(set) {
		l, err = c.Lifecycle(ctx, coll, id)
	} else {
		l, err = c.SetLifecycle(ctx, coll, id, ch, cond.options()...)
	}
	if err != nil {
		return fail(e, r, "lifecycle "+coll+"/"+id, err)
	}
	return printLifecycle(e, r, l)
}

// onlyRemote reports whether only the shared flags were set.
func onlyRemote(set map[string]bool) bool {
	for n := range set {
		switch n {
		case "url", "token", "output", "lang", "if-match", "if-none-match":
		default:
			return false
		}
	}
	return true
}

// parseWhen reads an RFC 3339 time, +DURATION from now, or "none" (the
// zero time, which clears the field).
func parseWhen(v string, now time.Time) (time.Time, error) {
	switch {
	case v == "none" || v == "":
		return time.Time{}, nil
	case strings.HasPrefix(v, "+"):
		d, err := time.ParseDuration(v[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a duration such as +24h: %w", v, err)
		}
		return now.Add(d).UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time such as 2026-01-05T10:30:00Z", v)
	}
	return t, nil
}
