package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/gonehttp/gone/client"
)

func runGet(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "get", "get [flags] COLLECTION/ID\n\nPrints the resource's JSON. Exit codes: 0 ok, 1 failed, 2 usage, 3 not found (404), 4 gone (410). An id in the trash is not found for every caller; an admin sees it with gone lifecycle.")
	r := addRemoteFlags(fs, e)
	c, coll, id, err := oneResource(e, fs, r, args)
	if err != nil {
		return err
	}
	body, err := c.GetRaw(ctx, coll, id)
	if err != nil {
		ferr := fail(e, r, coll+"/"+id, err)
		var ce *client.Error
		// Only for an id the collection does not show: a mistyped route
		// (it carries a suggestion) or another server has no trash.
		if errors.Is(err, client.ErrNotFound) && r.token != "" && errors.As(err, &ce) && ce.Suggestion == "" && isGoneProblem(ce) {
			// The resource URL answers an id in the trash with the
			// public's 404, admins included: say where an admin sees it.
			fmt.Fprintf(e.stderr, "An id in the trash is 404 here for every caller; an admin sees it with: gone lifecycle %s/%s\n", coll, id)
		}
		return ferr
	}
	if r.output == "table" {
		return printFields(e.stdout, body)
	}
	return printJSON(e.stdout, body)
}

func runExplain(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "explain", "explain [flags] COLLECTION/ID\n\nShows the branches the decision takes for the id, its state, and what a public caller and an admin are answered. Needs an admin token.")
	r := addRemoteFlags(fs, e)
	c, coll, id, err := oneResource(e, fs, r, args)
	if err != nil {
		return err
	}
	ex, err := c.Explain(ctx, coll, id)
	if err != nil {
		return fail(e, r, "explain "+coll+"/"+id, err)
	}
	if r.output == "json" {
		return printJSON(e.stdout, ex)
	}
	fmt.Fprintf(e.stdout, "%s  state: %s\n\n", ex.Path, ex.State)
	rows := make([][]string, 0, len(ex.Steps))
	for i, s := range ex.Steps {
		rows = append(rows, []string{strconv.Itoa(i + 1), s.Question, s.Answer})
	}
	if err := table(e.stdout, []string{"STEP", "QUESTION", "ANSWER"}, rows); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	verdict := func(name string, status int, answer, loc string) []string {
		return []string{name, strconv.Itoa(status), answer, loc}
	}
	return table(e.stdout, []string{"CALLER", "STATUS", "ANSWER", "LOCATION"}, [][]string{
		verdict("public", ex.Public.Status, ex.Public.Answer, ex.Public.Location),
		verdict("admin", ex.Admin.Status, ex.Admin.Answer, ex.Admin.Location),
	})
}

// printLifecycle shows a lifecycle view in the chosen format. As a table,
// the facts come as name-value rows and the history, when there is one, as
// a table of its own below them.
func printLifecycle(e env, r *remote, v any) error {
	if r.output != "table" {
		return printJSON(e.stdout, v)
	}
	l, ok := v.(*client.Lifecycle)
	if !ok || len(l.History) == 0 {
		return printFields(e.stdout, v)
	}
	facts := *l
	facts.History = nil
	if err := printFields(e.stdout, facts); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	rows := make([][]string, 0, len(l.History))
	for _, ev := range l.History {
		rows = append(rows, []string{strconv.FormatInt(ev.Seq, 10), when(ev.At), ev.Actor, ev.Action, ev.Reason, ev.Detail})
	}
	return table(e.stdout, []string{"SEQ", "AT", "ACTOR", "ACTION", "REASON", "DETAIL"}, rows)
}
