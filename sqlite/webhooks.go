package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

var _ gone.WebhookStore = (*Store)(nil)

const webhookColumns = `name, kind, url, secret, host, collections, path_prefix, types, created_at, created_by, since_seq, failures, paused_at, paused_reason`

// ms stores a time as unix milliseconds, the zero time as NULL.
func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func fromMS(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMilli(n.Int64).UTC()
}

// exec runs fn in one write transaction, as Update does.
func (s *Store) exec(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.Update(ctx, func(t gone.Tx) error { return fn(t.(*tx).tx) })
}

// audited runs fn in one write transaction and appends the audit event
// it returns in the same transaction: the change and its record commit
// together or not at all.
func (s *Store) audited(ctx context.Context, fn func(*sql.Tx) (gone.AuditEvent, error)) error {
	return s.Update(ctx, func(t gone.Tx) error {
		e, err := fn(t.(*tx).tx)
		if err != nil {
			return err
		}
		return t.AppendAudit(ctx, e)
	})
}

// CreateWebhook adds w and audits it, or returns ECONFLICT if its name is
// taken.
func (s *Store) CreateWebhook(ctx context.Context, w *gone.Webhook, e gone.AuditEvent) error {
	return s.audited(ctx, func(tx *sql.Tx) (gone.AuditEvent, error) {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM webhooks WHERE name = ?`, w.Name).Scan(&n); err != nil {
			return e, fmt.Errorf("sqlite: webhook %s: %w", w.Name, err)
		}
		if n > 0 {
			return e, gone.Errorf(gone.ECONFLICT, "A subscription is already named %q.", w.Name)
		}
		// The write lock is held (BEGIN IMMEDIATE): no event commits
		// between this read and the insert.
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit`).Scan(&w.SinceSeq); err != nil {
			return e, fmt.Errorf("sqlite: webhook %s: %w", w.Name, err)
		}
		return e, putWebhook(ctx, tx, w)
	})
}

func putWebhook(ctx context.Context, tx *sql.Tx, w *gone.Webhook) error {
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO webhooks (`+webhookColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.Name, string(w.Kind), w.URL, w.Secret, w.Host, strings.Join(w.Collections, " "), w.PathPrefix, gone.JoinChangeTypes(w.Types, " "),
		ms(w.CreatedAt), w.CreatedBy, w.SinceSeq, w.Failures, ms(w.PausedAt), w.PausedReason)
	if err != nil {
		return fmt.Errorf("sqlite: put webhook %s: %w", w.Name, err)
	}
	return nil
}

// UpdateWebhook replaces the named subscription with fn's result and
// audits it.
func (s *Store) UpdateWebhook(ctx context.Context, name string, fn func(*gone.Webhook) (gone.AuditEvent, error)) (*gone.Webhook, error) {
	var out *gone.Webhook
	err := s.audited(ctx, func(tx *sql.Tx) (gone.AuditEvent, error) {
		w, err := webhookByName(ctx, tx, name)
		if err != nil {
			return gone.AuditEvent{}, err
		}
		e, err := fn(w)
		if err != nil {
			return e, err
		}
		w.Name = name
		out = w
		return e, putWebhook(ctx, tx, w)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteWebhook removes the subscription, its queue and its log, and
// audits it.
func (s *Store) DeleteWebhook(ctx context.Context, name string, audit func(*gone.Webhook) gone.AuditEvent) error {
	return s.audited(ctx, func(tx *sql.Tx) (gone.AuditEvent, error) {
		w, err := webhookByName(ctx, tx, name)
		if err != nil {
			return gone.AuditEvent{}, err
		}
		for _, q := range []string{`DELETE FROM webhooks WHERE name = ?`, `DELETE FROM webhook_queue WHERE webhook = ?`, `DELETE FROM webhook_log WHERE webhook = ?`} {
			if _, err := tx.ExecContext(ctx, q, name); err != nil {
				return gone.AuditEvent{}, fmt.Errorf("sqlite: delete webhook %s: %w", name, err)
			}
		}
		return audit(w), nil
	})
}

func notFoundWebhook(name string) error {
	return gone.Errorf(gone.ENOTFOUND, "No subscription is named %q.", name)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func webhookByName(ctx context.Context, q querier, name string) (*gone.Webhook, error) {
	w, err := scanWebhook(q.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFoundWebhook(name)
	}
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: webhook %s: %w", name, err))
	}
	return w, nil
}

// Webhook returns the named subscription, or ENOTFOUND.
func (s *Store) Webhook(ctx context.Context, name string) (*gone.Webhook, error) {
	return webhookByName(ctx, s.r, name)
}

// Webhooks returns every subscription, ordered by name.
func (s *Store) Webhooks(ctx context.Context) ([]*gone.Webhook, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks ORDER BY name`)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: webhooks: %w", err))
	}
	defer rows.Close()
	var out []*gone.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, unavailable(fmt.Errorf("sqlite: webhooks: %w", err))
		}
		out = append(out, w)
	}
	return out, unavailable(rows.Err())
}

func scanWebhook(row interface{ Scan(...any) error }) (*gone.Webhook, error) {
	var (
		w                    gone.Webhook
		kind, colls, types   string
		created, pausedAtVal sql.NullInt64
	)
	if err := row.Scan(&w.Name, &kind, &w.URL, &w.Secret, &w.Host, &colls, &w.PathPrefix, &types,
		&created, &w.CreatedBy, &w.SinceSeq, &w.Failures, &pausedAtVal, &w.PausedReason); err != nil {
		return nil, err
	}
	w.Kind, w.Collections, w.Types = gone.WebhookKind(kind), strings.Fields(colls), gone.SplitChangeTypes(types)
	w.CreatedAt, w.PausedAt = fromMS(created), fromMS(pausedAtVal)
	return &w, nil
}

// WebhookCursor returns the highest audit seq already queued.
func (s *Store) WebhookCursor(ctx context.Context) (int64, error) {
	var c int64
	err := s.r.QueryRowContext(ctx, `SELECT cursor FROM webhook_state WHERE name = 'deliverer'`).Scan(&c)
	if err != nil {
		return 0, unavailable(fmt.Errorf("sqlite: webhook cursor: %w", err))
	}
	return c, nil
}

// EnqueueWebhooks commits b if the cursor is still at b.From.
func (s *Store) EnqueueWebhooks(ctx context.Context, b gone.WebhookBatch) error {
	return s.exec(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_state SET cursor = ? WHERE name = 'deliverer' AND cursor = ?`, b.To, b.From)
		if err != nil {
			return fmt.Errorf("sqlite: webhook cursor: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return gone.Errorf(gone.ECONFLICT, "The webhook cursor moved past %d.", b.From)
		}
		for _, m := range b.Messages {
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_queue (webhook, msg_id, path, prefix, body, created_at, attempts, next_at)
				VALUES (?, ?, ?, ?, ?, ?, 0, ?)`, m.Webhook, m.ID, m.Path, m.Prefix, m.Body, ms(m.CreatedAt), ms(m.CreatedAt)); err != nil {
				return fmt.Errorf("sqlite: queue %s: %w", m.Webhook, err)
			}
		}
		for _, t := range b.DoneTimers {
			if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_timers WHERE collection = ? AND id = ? AND kind = ? AND due = ?`,
				t.Collection, t.ID, t.Kind, ms(t.Due)); err != nil {
				return fmt.Errorf("sqlite: webhook timer: %w", err)
			}
		}
		for _, t := range b.Timers {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO webhook_timers (collection, id, kind, due) VALUES (?, ?, ?, ?)`,
				t.Collection, t.ID, t.Kind, ms(t.Due)); err != nil {
				return fmt.Errorf("sqlite: webhook timer: %w", err)
			}
		}
		return nil
	})
}

// DueWebhookTimers returns up to limit timers due at or before now.
func (s *Store) DueWebhookTimers(ctx context.Context, now time.Time, limit int) ([]gone.WebhookTimer, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT collection, id, kind, due FROM webhook_timers WHERE due <= ? ORDER BY due LIMIT ?`,
		now.UnixMilli(), limit)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: webhook timers: %w", err))
	}
	defer rows.Close()
	var out []gone.WebhookTimer
	for rows.Next() {
		var (
			t   gone.WebhookTimer
			due sql.NullInt64
		)
		if err := rows.Scan(&t.Collection, &t.ID, &t.Kind, &due); err != nil {
			return nil, err
		}
		t.Due = fromMS(due)
		out = append(out, t)
	}
	return out, unavailable(rows.Err())
}

// PendingWebhooks returns the head of one subscription's queue.
func (s *Store) PendingWebhooks(ctx context.Context, name string, limit int) ([]gone.WebhookMessage, int, error) {
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM webhook_queue WHERE webhook = ?`, name).Scan(&total); err != nil {
		return nil, 0, unavailable(fmt.Errorf("sqlite: webhook queue: %w", err))
	}
	rows, err := s.r.QueryContext(ctx, `SELECT seq, webhook, msg_id, path, prefix, body, created_at, attempts, next_at
		FROM webhook_queue WHERE webhook = ? ORDER BY seq LIMIT ?`, name, limit)
	if err != nil {
		return nil, 0, unavailable(fmt.Errorf("sqlite: webhook queue: %w", err))
	}
	defer rows.Close()
	var out []gone.WebhookMessage
	for rows.Next() {
		var (
			m             gone.WebhookMessage
			created, next sql.NullInt64
		)
		if err := rows.Scan(&m.Seq, &m.Webhook, &m.ID, &m.Path, &m.Prefix, &m.Body, &created, &m.Attempts, &next); err != nil {
			return nil, 0, err
		}
		m.CreatedAt, m.NextAt = fromMS(created), fromMS(next)
		out = append(out, m)
	}
	return out, total, unavailable(rows.Err())
}

// RecordWebhookAttempt logs a and moves the queue and the subscription on.
func (s *Store) RecordWebhookAttempt(ctx context.Context, a gone.WebhookAttempt, retry time.Time, pause string) error {
	return s.exec(ctx, func(tx *sql.Tx) error {
		steps := []stmt{
			{`INSERT INTO webhook_log (webhook, seq, msg_id, at, attempt, status, error, duration_ms, delivered)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				[]any{a.Webhook, a.Seq, a.MessageID, ms(a.At), a.Attempt, a.Status, a.Error, a.Duration.Milliseconds(), a.Delivered}},
			{`DELETE FROM webhook_log WHERE webhook = ? AND n <= (SELECT n FROM webhook_log WHERE webhook = ? ORDER BY n DESC LIMIT 1 OFFSET ?)`,
				[]any{a.Webhook, a.Webhook, gone.WebhookLogSize}},
		}
		if a.Delivered {
			steps = append(steps,
				stmt{`DELETE FROM webhook_queue WHERE seq = ?`, []any{a.Seq}},
				stmt{`UPDATE webhooks SET failures = 0 WHERE name = ?`, []any{a.Webhook}})
		} else {
			steps = append(steps,
				stmt{`UPDATE webhook_queue SET attempts = ?, next_at = ? WHERE seq = ?`, []any{a.Attempt, ms(retry), a.Seq}},
				stmt{`UPDATE webhooks SET failures = failures + 1 WHERE name = ?`, []any{a.Webhook}})
			if pause != "" {
				steps = append(steps, stmt{`UPDATE webhooks SET paused_at = ?, paused_reason = ? WHERE name = ?`, []any{ms(a.At), pause, a.Webhook}})
			}
		}
		for _, st := range steps {
			if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
				return fmt.Errorf("sqlite: webhook attempt %s: %w", a.Webhook, err)
			}
		}
		return nil
	})
}

// stmt is one statement of a transaction that runs several.
type stmt struct {
	q    string
	args []any
}

// WebhookAttempts returns the newest attempts of one subscription.
func (s *Store) WebhookAttempts(ctx context.Context, name string, limit int) ([]gone.WebhookAttempt, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT webhook, seq, msg_id, at, attempt, status, error, duration_ms, delivered
		FROM webhook_log WHERE webhook = ? ORDER BY n DESC LIMIT ?`, name, limit)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: webhook log: %w", err))
	}
	defer rows.Close()
	var out []gone.WebhookAttempt
	for rows.Next() {
		var (
			a      gone.WebhookAttempt
			at     sql.NullInt64
			millis int64
		)
		if err := rows.Scan(&a.Webhook, &a.Seq, &a.MessageID, &at, &a.Attempt, &a.Status, &a.Error, &millis, &a.Delivered); err != nil {
			return nil, err
		}
		a.At, a.Duration = fromMS(at), time.Duration(millis)*time.Millisecond
		out = append(out, a)
	}
	return out, unavailable(rows.Err())
}

// WebhookLease makes holder the deliverer until until, unless another
// holder's lease runs past now.
func (s *Store) WebhookLease(ctx context.Context, holder string, now, until time.Time) (bool, error) {
	var got bool
	err := s.exec(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_state SET holder = ?, until = ?
			WHERE name = 'deliverer' AND (holder = ? OR until < ?)`, holder, until.UnixMilli(), holder, now.UnixMilli())
		if err != nil {
			return fmt.Errorf("sqlite: webhook lease: %w", err)
		}
		n, _ := res.RowsAffected()
		got = n == 1
		return nil
	})
	return got, err
}
