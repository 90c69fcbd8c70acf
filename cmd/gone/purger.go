package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/metrics"
)

// purgeBatch is how many records one Service.Purge call erases; a pass
// repeats it until the backlog is empty.
const purgeBatch = 500

// startPurger runs a purge pass at once and then every interval, until
// stop is called. stop waits for a pass in progress to end, so the store
// may be closed after it. Every instance runs its own purger; Service.Purge
// makes sure each record is still purged once.
func startPurger(ctx context.Context, log *slog.Logger, svc *gone.Service, every time.Duration, m *metrics.Purger) (stop func()) {
	if every <= 0 {
		log.Info("purger disabled")
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			purgePass(ctx, log, svc, m)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// purgePass purges until nothing is left, and records the pass.
func purgePass(ctx context.Context, log *slog.Logger, svc *gone.Service, m *metrics.Purger) {
	total := 0
	for {
		n, err := svc.Purge(ctx, purgeBatch)
		total += n
		if err != nil {
			if ctx.Err() != nil {
				// Shutting down: an interrupted pass is not a failure,
				// and the next start picks up where it stopped.
				return
			}
			log.Warn("purge failed", "err", err, "purged", total)
			m.Observe(total, err, svc.Now())
			return
		}
		if n < purgeBatch {
			if total > 0 {
				log.Info("purged lapsed trash", "records", total)
			}
			m.Observe(total, nil, svc.Now())
			return
		}
	}
}
