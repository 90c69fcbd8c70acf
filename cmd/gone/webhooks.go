package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gonehttp/gone/client"
)

const webhooksUsage = `webhooks create NAME TARGET-URL [--kind webhook|varnish|varnish-ban|nginx] [--host HOST]
              [--collection C1,C2] [--path-prefix /api/users/] [--type gone,moved] [--secret whsec_…] [flags]
       gone webhooks list [flags]
       gone webhooks show NAME [flags]
       gone webhooks pause|resume NAME [flags]
       gone webhooks delete NAME [flags]

A subscription is told of every lifecycle change that passes its filter:
a webhook gets a JSON event POSTed and signed as the Standard Webhooks
specification says (the secret is printed once, at create); a varnish,
varnish-ban or nginx target gets the changed path purged from its cache.
Changes are delivered in order, retried with backoff, and a subscription
that keeps failing is paused until resumed. See docs/webhooks.md. All
through the API at --url with an admin --token.`

func runWebhooks(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(e.stderr, "Usage: gone %s\n", webhooksUsage)
		if len(args) == 0 {
			return &exitError{code: exitUsage}
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet(e, "webhooks "+sub, webhooksUsage)
	r := addRemoteFlags(fs, e)
	var req client.WebhookRequest
	var colls, types *string
	if sub == "create" {
		fs.StringVar(&req.Kind, "kind", "webhook", "webhook (signed JSON), varnish, varnish-ban or nginx (cache purges), indexnow (search engines)")
		fs.StringVar(&req.Host, "host", "", "purge targets: the Host header the cache keyed its copies by; indexnow: the site's host name")
		fs.StringVar(&req.PathPrefix, "path-prefix", "", "only changes of paths that start with this")
		fs.StringVar(&req.Secret, "secret", "", "webhooks: the signing secret (whsec_ and base64), made for you when empty; indexnow: the site's key")
		colls = fs.String("collection", "", "comma-separated collections; empty for every one (_rules for the proxy's rules)")
		types = fs.String("type", "", "comma-separated change types (created, deleted, restored, gone, expired, moved, …); empty for every one")
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	c, err := r.client(e)
	if err != nil {
		return err
	}
	name := func() (string, error) {
		if len(pos) != 1 {
			return "", usageError("webhooks %s takes one argument, the subscription's name", sub)
		}
		return pos[0], nil
	}
	var out any
	switch sub {
	case "list":
		if err := noMore(pos); err != nil {
			return err
		}
		hooks, err := c.Webhooks(ctx)
		if err != nil {
			return fail(e, r, "webhooks list", err)
		}
		if r.output == "table" {
			rows := [][]string{}
			for _, h := range hooks {
				state := "active"
				if !h.PausedAt.IsZero() {
					state = "paused"
				}
				rows = append(rows, []string{h.Name, h.Kind, h.URL, state, strconv.Itoa(h.Failures)})
			}
			return table(e.stdout, []string{"NAME", "KIND", "URL", "STATE", "FAILURES"}, rows)
		}
		out = hooks
	case "create":
		if len(pos) != 2 {
			return usageError("webhooks create takes two arguments: the subscription's name, and the receiver's or the cache's URL")
		}
		n := pos[0]
		req.Name, req.URL = n, pos[1]
		if *colls != "" {
			req.Collections = strings.Split(*colls, ",")
		}
		if *types != "" {
			req.Types = strings.Split(*types, ",")
		}
		h, err := c.CreateWebhook(ctx, req)
		if err != nil {
			return fail(e, r, "webhooks create "+n, err)
		}
		out = h
		if h.Secret != "" {
			defer fmt.Fprintln(e.stderr, "Store the secret now: it signs every event, and is not shown again.")
		}
	case "show":
		n, err := name()
		if err != nil {
			return err
		}
		if out, err = c.Webhook(ctx, n); err != nil {
			return fail(e, r, "webhooks show "+n, err)
		}
	case "pause", "resume":
		n, err := name()
		if err != nil {
			return err
		}
		paused := sub == "pause"
		if out, err = c.UpdateWebhook(ctx, n, client.WebhookRequest{Paused: &paused}); err != nil {
			return fail(e, r, "webhooks "+sub+" "+n, err)
		}
	case "delete":
		n, err := name()
		if err != nil {
			return err
		}
		if err := c.DeleteWebhook(ctx, n); err != nil {
			return fail(e, r, "webhooks delete "+n, err)
		}
		fmt.Fprintf(e.stderr, "deleted subscription %s\n", n)
		return nil
	default:
		return usageError("unknown webhooks command %q: want create, list, show, pause, resume or delete", sub)
	}
	if r.output == "table" {
		return printFields(e.stdout, out)
	}
	return printJSON(e.stdout, out)
}
