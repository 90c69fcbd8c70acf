package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gonehttp/gone"
)

// changesChannel is the channel the resources trigger notifies (see
// migrations/0002_notify.sql).
const changesChannel = "gone_changes"

// followCheck is how long Follow waits for a notification before it checks
// that its connection still answers: a connection that died quietly must
// not leave a cache trusting memory for long.
const followCheck = 2 * time.Second

// Follow tells sink about every committed write to resources, by any
// instance, until ctx ends: it LISTENs on its own connection and calls
// sink.Changed for each notification. Notifications of this instance's own
// writes arrive too; dropping an id twice costs only a miss.
//
// sink.Trust is called once LISTEN is in place. When the connection fails
// (or stops answering), Follow calls sink.Distrust, so a cache reads the
// store, and reconnects; notifications sent meanwhile are lost, which is
// why Trust empties the cache before using it again.
func (s *Store) Follow(ctx context.Context, sink gone.ChangeSink) error {
	cfg := s.pool.Config().ConnConfig.Copy()
	backoff := 50 * time.Millisecond
	for {
		err := s.listen(ctx, cfg, sink)
		sink.Distrust()
		if ctx.Err() != nil {
			return nil
		}
		_ = err // the cache reads the store meanwhile; retry
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// listen follows one connection until it fails or ctx ends.
func (s *Store) listen(ctx context.Context, cfg *pgx.ConnConfig, sink gone.ChangeSink) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return err
	}
	sink.Trust()
	for {
		wctx, cancel := context.WithTimeout(ctx, followCheck)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			if c, id, ok := strings.Cut(n.Payload, "/"); ok {
				sink.Changed(c, id)
			} else {
				sink.Reset()
			}
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			// Quiet: make sure the connection is still there.
			if err := conn.Ping(ctx); err != nil {
				return err
			}
		default:
			return err
		}
	}
}
