package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/gonehttp/gone"
)

// DefaultFollowEvery is how often Follow looks for another process's
// commits by default: the longest a read cache may answer from memory after
// another process (gone import, a second gone serve) changed the file.
const DefaultFollowEvery = 20 * time.Millisecond

// Follow tells sink about commits made to the file by other processes until
// ctx ends, looking every interval. It reads PRAGMA data_version on the
// write connection: SQLite changes that number when any other connection
// commits, and never for the connection's own commits, so the writes this
// process made through Update (which drop their own ids) never count.
//
// The first successful look calls sink.Trust; a change calls sink.Reset (the
// pragma cannot say which ids changed); a failed look calls sink.Distrust,
// so a cache reads the store, and the next good look trusts it again.
func (s *Store) Follow(ctx context.Context, sink gone.ChangeSink, every time.Duration) error {
	if every <= 0 {
		every = DefaultFollowEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var last int64
	following := false
	for {
		v, err := s.dataVersion(ctx)
		switch {
		case err != nil:
			if following {
				sink.Distrust()
			}
			following = false
		case !following:
			last, following = v, true
			sink.Trust()
		case v != last:
			last = v
			sink.Reset()
		}
		select {
		case <-ctx.Done():
			sink.Distrust()
			return nil
		case <-t.C:
		}
	}
}

// dataVersion reads PRAGMA data_version on the one write connection.
func (s *Store) dataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.w.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: data_version: %w", err)
	}
	return v, nil
}
