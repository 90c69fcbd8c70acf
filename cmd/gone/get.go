package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/gonehttp/gone/client"
)

func init() {
	commands["get"] = command{"read a resource (exit 3 if not found, 4 if gone)", runGet}
	commands["explain"] = command{"show how the server decides a resource's answer", runExplain}
}

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
		if errors.Is(err, client.ErrNotFound) && r.token != "" {
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
	if err := table(e.stdout, []string{"#", "QUESTION", "ANSWER"}, rows); err != nil {
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

// printLifecycle shows a lifecycle view in the chosen format.
func printLifecycle(e env, r *remote, v any) error {
	if r.output == "table" {
		return printFields(e.stdout, v)
	}
	return printJSON(e.stdout, v)
}
