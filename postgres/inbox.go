package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gonehttp/gone"
)

var _ gone.InboxStore = (*Store)(nil)

const inboxColumns = `path, hits, crawler_hits, first_seen, last_seen, referrers`

// inboxOrder is gone.InboxLess in SQL; the index inbox_by_hits serves it.
const inboxOrder = ` ORDER BY hits DESC, last_seen DESC, path`

// AddMisses folds the batch into the inbox and trims it to max entries, in
// one transaction. Instances flushing at once take turns (one advisory
// lock for the whole inbox), so no read-merge-write loses another's hits.
func (s *Store) AddMisses(ctx context.Context, batch []gone.InboxEntry, max int) (int, error) {
	dropped := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('inbox', 0))"); err != nil {
			return err
		}
		paths := make([]string, len(batch))
		for i, d := range batch {
			paths[i] = d.Path
		}
		rows, _ := tx.Query(ctx, `SELECT `+inboxColumns+` FROM inbox WHERE path = ANY($1)`, paths)
		have, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (gone.InboxEntry, error) { return scanInbox(row) })
		if err != nil {
			return err
		}
		byPath := make(map[string]gone.InboxEntry, len(have))
		for _, e := range have {
			byPath[e.Path] = e
		}
		var b pgx.Batch
		for _, d := range batch {
			e, ok := byPath[d.Path]
			if !ok {
				e = gone.InboxEntry{Path: d.Path}
			}
			e.Add(d)
			byPath[d.Path] = e
		}
		for _, e := range byPath {
			b.Queue(`INSERT INTO inbox (`+inboxColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (path) DO UPDATE SET hits = EXCLUDED.hits, crawler_hits = EXCLUDED.crawler_hits,
					first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen, referrers = EXCLUDED.referrers`,
				e.Path, e.Hits, e.CrawlerHits, e.FirstSeen, e.LastSeen, e.Referrers)
		}
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM inbox WHERE path IN (
			SELECT path FROM inbox ORDER BY hits ASC, last_seen ASC, path DESC
			LIMIT greatest(0, (SELECT count(*) FROM inbox) - $1))`, max)
		dropped = int(tag.RowsAffected())
		return err
	})
	if err != nil {
		return 0, unavailable(fmt.Errorf("postgres: add misses: %w", err))
	}
	return dropped, nil
}

// Inbox returns a page of the inbox, most hits first.
func (s *Store) Inbox(ctx context.Context, q gone.InboxQuery) ([]gone.InboxEntry, error) {
	var limit *int
	if q.Limit > 0 {
		limit = &q.Limit
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+inboxColumns+` FROM inbox`+inboxOrder+` LIMIT $1 OFFSET $2`, limit, max(q.Offset, 0))
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (gone.InboxEntry, error) { return scanInbox(row) })
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: inbox: %w", err))
	}
	if out == nil {
		out = []gone.InboxEntry{}
	}
	return out, nil
}

// InboxEntry returns one entry, or ENOTFOUND.
func (s *Store) InboxEntry(ctx context.Context, path string) (gone.InboxEntry, error) {
	e, err := scanInbox(s.pool.QueryRow(ctx, `SELECT `+inboxColumns+` FROM inbox WHERE path = $1`, path))
	if errors.Is(err, pgx.ErrNoRows) {
		return e, gone.Errorf(gone.ENOTFOUND, "The inbox holds no entry for %s.", path)
	}
	if err != nil {
		return e, unavailable(fmt.Errorf("postgres: inbox entry: %w", err))
	}
	return e, nil
}

// InboxLen counts the stored entries.
func (s *Store) InboxLen(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM inbox`).Scan(&n); err != nil {
		return 0, unavailable(fmt.Errorf("postgres: inbox count: %w", err))
	}
	return n, nil
}

// RemoveInbox deletes the entries of paths.
func (s *Store) RemoveInbox(ctx context.Context, paths []string) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM inbox WHERE path = ANY($1)`, paths)
	if err != nil {
		return 0, unavailable(fmt.Errorf("postgres: remove from inbox: %w", err))
	}
	return int(tag.RowsAffected()), nil
}

// IgnorePatterns returns every pattern, oldest first.
func (s *Store) IgnorePatterns(ctx context.Context) ([]gone.IgnorePattern, error) {
	rows, _ := s.pool.Query(ctx, `SELECT pattern, created_at, created_by FROM inbox_ignores ORDER BY created_at, pattern`)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (gone.IgnorePattern, error) {
		var p gone.IgnorePattern
		var at time.Time
		err := row.Scan(&p.Pattern, &at, &p.CreatedBy)
		p.CreatedAt = at.UTC()
		return p, err
	})
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: ignore patterns: %w", err))
	}
	if out == nil {
		out = []gone.IgnorePattern{}
	}
	return out, nil
}

// AddIgnorePattern stores p, or returns ECONFLICT for a stored pattern.
func (s *Store) AddIgnorePattern(ctx context.Context, p gone.IgnorePattern) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO inbox_ignores (pattern, created_at, created_by) VALUES ($1, $2, $3)
		ON CONFLICT (pattern) DO NOTHING`, p.Pattern, p.CreatedAt, p.CreatedBy)
	if err != nil {
		return unavailable(fmt.Errorf("postgres: add ignore pattern: %w", err))
	}
	if tag.RowsAffected() == 0 {
		return gone.Errorf(gone.ECONFLICT, "The inbox ignores %s already.", p.Pattern)
	}
	return nil
}

// RemoveIgnorePattern deletes a pattern, or returns ENOTFOUND.
func (s *Store) RemoveIgnorePattern(ctx context.Context, pattern string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM inbox_ignores WHERE pattern = $1`, pattern)
	if err != nil {
		return unavailable(fmt.Errorf("postgres: remove ignore pattern: %w", err))
	}
	if tag.RowsAffected() == 0 {
		return gone.Errorf(gone.ENOTFOUND, "The inbox has no ignore pattern %s.", pattern)
	}
	return nil
}

func scanInbox(row pgx.Row) (gone.InboxEntry, error) {
	var e gone.InboxEntry
	if err := row.Scan(&e.Path, &e.Hits, &e.CrawlerHits, &e.FirstSeen, &e.LastSeen, &e.Referrers); err != nil {
		return e, err
	}
	e.FirstSeen, e.LastSeen = e.FirstSeen.UTC(), e.LastSeen.UTC()
	if e.Referrers == nil {
		e.Referrers = []gone.Referrer{}
	}
	return e, nil
}
