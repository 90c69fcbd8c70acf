package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gonehttp/gone"
)

var _ gone.InboxStore = (*Store)(nil)

const inboxColumns = `path, hits, crawler_hits, first_seen, last_seen, referrers`

// inboxOrder is gone.InboxLess in SQL; the index inbox_by_hits serves it.
const inboxOrder = ` ORDER BY hits DESC, last_seen DESC, path`

// AddMisses folds the batch into the inbox and trims it to max entries, in
// one write transaction.
func (s *Store) AddMisses(ctx context.Context, batch []gone.InboxEntry, max int) (int, error) {
	dropped := 0
	err := s.exec(ctx, func(tx *sql.Tx) error {
		get, err := tx.PrepareContext(ctx, `SELECT `+inboxColumns+` FROM inbox WHERE path = ?`)
		if err != nil {
			return err
		}
		defer get.Close()
		put, err := tx.PrepareContext(ctx, `INSERT INTO inbox (`+inboxColumns+`) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (path) DO UPDATE SET hits = excluded.hits, crawler_hits = excluded.crawler_hits,
				first_seen = excluded.first_seen, last_seen = excluded.last_seen, referrers = excluded.referrers`)
		if err != nil {
			return err
		}
		defer put.Close()
		for _, d := range batch {
			e, err := scanInbox(get.QueryRowContext(ctx, d.Path))
			switch {
			case errors.Is(err, sql.ErrNoRows):
				e = gone.InboxEntry{Path: d.Path}
			case err != nil:
				return err
			}
			e.Add(d)
			refs, err := json.Marshal(e.Referrers)
			if err != nil {
				return err
			}
			if _, err := put.ExecContext(ctx, e.Path, e.Hits, e.CrawlerHits, unix(e.FirstSeen), unix(e.LastSeen), string(refs)); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM inbox WHERE path IN (
			SELECT path FROM inbox ORDER BY hits ASC, last_seen ASC, path DESC
			LIMIT max(0, (SELECT count(*) FROM inbox) - ?))`, max)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		dropped = int(n)
		return err
	})
	if err != nil {
		return 0, unavailable(fmt.Errorf("sqlite: add misses: %w", err))
	}
	return dropped, nil
}

// Inbox returns a page of the inbox, most hits first.
func (s *Store) Inbox(ctx context.Context, q gone.InboxQuery) ([]gone.InboxEntry, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+inboxColumns+` FROM inbox`+inboxOrder+` LIMIT ? OFFSET ?`, limit, max(q.Offset, 0))
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: inbox: %w", err))
	}
	defer rows.Close()
	out := []gone.InboxEntry{}
	for rows.Next() {
		e, err := scanInbox(rows)
		if err != nil {
			return nil, unavailable(fmt.Errorf("sqlite: inbox: %w", err))
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: inbox: %w", err))
	}
	return out, nil
}

// InboxEntry returns one entry, or ENOTFOUND.
func (s *Store) InboxEntry(ctx context.Context, path string) (gone.InboxEntry, error) {
	e, err := scanInbox(s.r.QueryRowContext(ctx, `SELECT `+inboxColumns+` FROM inbox WHERE path = ?`, path))
	if errors.Is(err, sql.ErrNoRows) {
		return e, gone.Errorf(gone.ENOTFOUND, "The inbox holds no entry for %s.", path)
	}
	if err != nil {
		return e, unavailable(fmt.Errorf("sqlite: inbox entry: %w", err))
	}
	return e, nil
}

// InboxLen counts the stored entries.
func (s *Store) InboxLen(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM inbox`).Scan(&n); err != nil {
		return 0, unavailable(fmt.Errorf("sqlite: inbox count: %w", err))
	}
	return n, nil
}

// RemoveInbox deletes the entries of paths.
func (s *Store) RemoveInbox(ctx context.Context, paths []string) (int, error) {
	n := 0
	err := s.exec(ctx, func(tx *sql.Tx) error {
		for _, p := range paths {
			res, err := tx.ExecContext(ctx, `DELETE FROM inbox WHERE path = ?`, p)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, unavailable(fmt.Errorf("sqlite: remove from inbox: %w", err))
	}
	return n, nil
}

// IgnorePatterns returns every pattern, oldest first.
func (s *Store) IgnorePatterns(ctx context.Context) ([]gone.IgnorePattern, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT pattern, created_at, created_by FROM inbox_ignores ORDER BY created_at, pattern`)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: ignore patterns: %w", err))
	}
	defer rows.Close()
	out := []gone.IgnorePattern{}
	for rows.Next() {
		var p gone.IgnorePattern
		var at sql.NullInt64
		if err := rows.Scan(&p.Pattern, &at, &p.CreatedBy); err != nil {
			return nil, unavailable(fmt.Errorf("sqlite: ignore patterns: %w", err))
		}
		p.CreatedAt = fromUnix(at)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: ignore patterns: %w", err))
	}
	return out, nil
}

// AddIgnorePattern stores p, or returns ECONFLICT for a stored pattern.
func (s *Store) AddIgnorePattern(ctx context.Context, p gone.IgnorePattern) error {
	res, err := s.w.ExecContext(ctx, `INSERT INTO inbox_ignores (pattern, created_at, created_by) VALUES (?, ?, ?)
		ON CONFLICT (pattern) DO NOTHING`, p.Pattern, p.CreatedAt.Unix(), p.CreatedBy)
	if err != nil {
		return unavailable(fmt.Errorf("sqlite: add ignore pattern: %w", err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return gone.Errorf(gone.ECONFLICT, "The inbox ignores %s already.", p.Pattern)
	}
	return nil
}

// RemoveIgnorePattern deletes a pattern, or returns ENOTFOUND.
func (s *Store) RemoveIgnorePattern(ctx context.Context, pattern string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM inbox_ignores WHERE pattern = ?`, pattern)
	if err != nil {
		return unavailable(fmt.Errorf("sqlite: remove ignore pattern: %w", err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return gone.Errorf(gone.ENOTFOUND, "The inbox has no ignore pattern %s.", pattern)
	}
	return nil
}

func scanInbox(row interface{ Scan(...any) error }) (gone.InboxEntry, error) {
	var e gone.InboxEntry
	var first, last sql.NullInt64
	var refs string
	if err := row.Scan(&e.Path, &e.Hits, &e.CrawlerHits, &first, &last, &refs); err != nil {
		return e, err
	}
	e.FirstSeen, e.LastSeen = fromUnix(first), fromUnix(last)
	if err := json.NewDecoder(strings.NewReader(refs)).Decode(&e.Referrers); err != nil {
		return e, fmt.Errorf("referrers of %s: %w", e.Path, err)
	}
	if e.Referrers == nil {
		e.Referrers = []gone.Referrer{}
	}
	return e, nil
}
