package main

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gonehttp/gone/client"
)

func runList(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "list", "list [flags] COLLECTION [--state live|deleted|gone]\n\nPrints one JSON object per line (or a table), following the server's cursor to the end. The trash (deleted) and retired ids (gone) need an admin token.")
	r := addRemoteFlags(fs, e)
	var opt client.ListOptions
	fs.StringVar(&opt.State, "state", "", "live (default), deleted (the trash) or gone (retired ids)")
	fs.IntVar(&opt.PageSize, "page-size", 0, "items per request (the server's default when 0)")
	limit := fs.Int("limit", 0, "stop after this many items (0: all)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("list needs one collection, e.g. gone list users")
	}
	c, err := r.client(e)
	if err != nil {
		return err
	}
	var rows [][]string
	n := 0
	for it, err := range c.List(ctx, pos[0], opt) {
		if err != nil {
			return fail(e, r, "list "+pos[0], err)
		}
		if r.output == "json" {
			var v any = it
			if it.Lifecycle != nil {
				v = it.Lifecycle
			}
			if err := printLine(e.stdout, v); err != nil {
				return err
			}
		} else if it.Lifecycle != nil {
			l := it.Lifecycle
			rows = append(rows, []string{l.ID, l.State, when(l.DeletedAt, l.ExpiresAt), l.Reason, l.Alternative})
		} else {
			rows = append(rows, []string{it.ID, cell(it.Data, 80)})
		}
		if n++; *limit > 0 && n >= *limit {
			break
		}
	}
	if r.output == "json" {
		return nil
	}
	if opt.State == "" || opt.State == "live" {
		return table(e.stdout, []string{"ID", "DATA"}, rows)
	}
	return table(e.stdout, []string{"ID", "STATE", "SINCE", "REASON", "ALTERNATIVE"}, rows)
}

// when is the first non-zero time, formatted, or "".
func when(ts ...time.Time) string {
	for _, t := range ts {
		if !t.IsZero() {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return ""
}

func runAudit(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "audit", "audit [flags] [COLLECTION[/ID]]\n\nPrints lifecycle changes, oldest first: who, when, what and why. Needs an admin token.")
	r := addRemoteFlags(fs, e)
	limit := fs.Int("limit", 0, "stop after this many events (0: all)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	var q client.AuditQuery
	switch len(pos) {
	case 0:
	case 1:
		q.Collection, q.ID, _ = strings.Cut(strings.TrimPrefix(strings.TrimPrefix(pos[0], "/"), "api/"), "/")
	default:
		return usageError("audit takes at most one COLLECTION[/ID]")
	}
	c, err := r.client(e)
	if err != nil {
		return err
	}
	var rows [][]string
	n := 0
	for ev, err := range c.Audit(ctx, q) {
		if err != nil {
			return fail(e, r, "audit", err)
		}
		if r.output == "json" {
			if err := printLine(e.stdout, ev); err != nil {
				return err
			}
		} else {
			rows = append(rows, []string{strconv.FormatInt(ev.Seq, 10), ev.At.UTC().Format(time.RFC3339), ev.Actor, ev.Action, ev.Collection + "/" + ev.ID, ev.Reason, ev.Detail})
		}
		if n++; *limit > 0 && n >= *limit {
			break
		}
	}
	if r.output == "json" {
		return nil
	}
	return table(e.stdout, []string{"SEQ", "AT", "ACTOR", "ACTION", "RESOURCE", "REASON", "DETAIL"}, rows)
}
