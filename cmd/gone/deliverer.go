package main

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/webhook"
)

// addWebhookFlags adds the deliverer's setting to fs.
func addWebhookFlags(fs *flag.FlagSet, e env) (*time.Duration, error) {
	poll, err := envDuration(e, "GONE_WEBHOOKS_POLL", 100*time.Millisecond, 0)
	if err != nil {
		return nil, err
	}
	return fs.Duration("webhooks-poll", poll,
		"how often the webhook and purge deliverer looks for changes; 0 disables it (env GONE_WEBHOOKS_POLL)"), nil
}

// startDeliverer runs the webhook and cache-purge deliverer until stop is
// called; stop waits for deliveries in flight, so the store may be closed
// after it. Every instance runs one; the store's lease lets one deliver.
// records is svc's store, where the deliverer reads the audit log.
func startDeliverer(ctx context.Context, log *slog.Logger, hooks gone.WebhookStore, records gone.Store, svc *gone.Service, poll time.Duration) (stop func()) {
	if poll <= 0 || hooks == nil {
		log.Info("webhooks disabled")
		return func() {}
	}
	d := webhook.New(hooks, records, svc.Config(), webhook.Options{Poll: poll, Log: log, Now: svc.Now})
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	return func() { cancel(); <-done }
}
