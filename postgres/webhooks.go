package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gonehttp/gone"
)

var _ gone.WebhookStore = (*Store)(nil)

const webhookColumns = `name, kind, url, secret, host, collections, path_prefix, types, created_at, created_by, since_seq, failures, paused_at, paused_reason`

// exec runs fn in one transaction, as Update does.
func (s *Store) exec(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.Update(ctx, func(t gone.Tx) error { return fn(t.(*pgTx).tx) })
}

// audited runs fn in one transaction and appends the audit event it
// returns in the same transaction: the change and its record commit
// together or not at all.
func (s *Store) audited(ctx context.Context, fn func(pgx.Tx) (gone.AuditEvent, error)) error {
	return s.Update(ctx, func(t gone.Tx) error {
		e, err := fn(t.(*pgTx).tx)
		if err != nil {
			return err
		}
		return t.AppendAudit(ctx, e)
	})
}

// CreateWebhook adds w and audits it, or returns ECONFLICT if its name is
// taken.
func (s *Store) CreateWebhook(ctx context.Context, w *gone.Webhook, e gone.AuditEvent) error {
	return s.audited(ctx, func(tx pgx.Tx) (gone.AuditEvent, error) {
		// The audit lock orders appends and commits (see AppendAudit):
		// holding it, MAX(seq) is the last event committed or to commit
		// before this subscription exists. (AppendAudit takes it again
		// after; an advisory lock is reentrant within a transaction.)
		if _, err := tx.Exec(ctx, auditLock); err != nil {
			return e, fmt.Errorf("postgres: audit lock: %w", err)
		}
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit`).Scan(&w.SinceSeq); err != nil {
			return e, fmt.Errorf("postgres: create webhook %s: %w", w.Name, err)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO webhooks (`+webhookColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (name) DO NOTHING`, webhookArgs(w)...)
		if err != nil {
			return e, fmt.Errorf("postgres: create webhook %s: %w", w.Name, err)
		}
		if tag.RowsAffected() == 0 {
			return e, gone.Errorf(gone.ECONFLICT, "A subscription is already named %q.", w.Name)
		}
		return e, nil
	})
}

func webhookArgs(w *gone.Webhook) []any {
	return []any{w.Name, string(w.Kind), w.URL, w.Secret, w.Host, strings.Join(w.Collections, " "), w.PathPrefix,
		gone.JoinChangeTypes(w.Types, " "), w.CreatedAt, w.CreatedBy, w.SinceSeq, w.Failures, toDB(w.PausedAt), w.PausedReason}
}

// UpdateWebhook replaces the named subscription with fn's result and
// audits it; the row stays locked (FOR UPDATE) from the read to the write.
func (s *Store) UpdateWebhook(ctx context.Context, name string, fn func(*gone.Webhook) (gone.AuditEvent, error)) (*gone.Webhook, error) {
	var out *gone.Webhook
	err := s.audited(ctx, func(tx pgx.Tx) (gone.AuditEvent, error) {
		w, err := webhookByName(ctx, tx, name, " FOR UPDATE")
		if err != nil {
			return gone.AuditEvent{}, err
		}
		e, err := fn(w)
		if err != nil {
			return e, err
		}
		w.Name = name
		out = w
		_, err = tx.Exec(ctx, `UPDATE webhooks SET kind = $2, url = $3, secret = $4, host = $5, collections = $6,
			path_prefix = $7, types = $8, created_at = $9, created_by = $10, since_seq = $11, failures = $12,
			paused_at = $13, paused_reason = $14 WHERE name = $1`, webhookArgs(w)...)
		if err != nil {
			return e, fmt.Errorf("postgres: update webhook %s: %w", name, err)
		}
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteWebhook removes the subscription, its queue and its log, and
// audits it.
func (s *Store) DeleteWebhook(ctx context.Context, name string, audit func(*gone.Webhook) gone.AuditEvent) error {
	return s.audited(ctx, func(tx pgx.Tx) (gone.AuditEvent, error) {
		w, err := webhookByName(ctx, tx, name, " FOR UPDATE")
		if err != nil {
			return gone.AuditEvent{}, err
		}
		for _, q := range []string{`DELETE FROM webhooks WHERE name = $1`, `DELETE FROM webhook_queue WHERE webhook = $1`, `DELETE FROM webhook_log WHERE webhook = $1`} {
			if _, err := tx.Exec(ctx, q, name); err != nil {
				return gone.AuditEvent{}, fmt.Errorf("postgres: delete webhook %s: %w", name, err)
			}
		}
		return audit(w), nil
	})
}

func notFoundWebhook(name string) error {
	return gone.Errorf(gone.ENOTFOUND, "No subscription is named %q.", name)
}

func webhookByName(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, name, lock string) (*gone.Webhook, error) {
	w, err := scanWebhook(q.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE name = $1`+lock, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFoundWebhook(name)
	}
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: webhook %s: %w", name, err))
	}
	return w, nil
}

// Webhook returns the named subscription, or ENOTFOUND.
func (s *Store) Webhook(ctx context.Context, name string) (*gone.Webhook, error) {
	return webhookByName(ctx, s.pool, name, "")
}

// Webhooks returns every subscription, ordered by name.
func (s *Store) Webhooks(ctx context.Context) ([]*gone.Webhook, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+webhookColumns+` FROM webhooks ORDER BY name`)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*gone.Webhook, error) { return scanWebhook(row) })
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: webhooks: %w", err))
	}
	return out, nil
}

func scanWebhook(row pgx.Row) (*gone.Webhook, error) {
	var (
		w                  gone.Webhook
		kind, colls, types string
		paused             *time.Time
	)
	if err := row.Scan(&w.Name, &kind, &w.URL, &w.Secret, &w.Host, &colls, &w.PathPrefix, &types,
		&w.CreatedAt, &w.CreatedBy, &w.SinceSeq, &w.Failures, &paused, &w.PausedReason); err != nil {
		return nil, err
	}
	w.Kind, w.Collections, w.Types = gone.WebhookKind(kind), strings.Fields(colls), gone.SplitChangeTypes(types)
	w.CreatedAt, w.PausedAt = w.CreatedAt.UTC(), fromDB(paused)
	return &w, nil
}

// WebhookCursor returns the highest audit seq already queued.
func (s *Store) WebhookCursor(ctx context.Context) (int64, error) {
	var c int64
	if err := s.pool.QueryRow(ctx, `SELECT cursor FROM webhook_state WHERE name = 'deliverer'`).Scan(&c); err != nil {
		return 0, unavailable(fmt.Errorf("postgres: webhook cursor: %w", err))
	}
	return c, nil
}

// EnqueueWebhooks commits b if the cursor is still at b.From. The UPDATE
// locks the state row, so a second deliverer's batch waits for this one
// and then finds the cursor moved.
func (s *Store) EnqueueWebhooks(ctx context.Context, b gone.WebhookBatch) error {
	return s.exec(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE webhook_state SET cursor = $1 WHERE name = 'deliverer' AND cursor = $2`, b.To, b.From)
		if err != nil {
			return fmt.Errorf("postgres: webhook cursor: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return gone.Errorf(gone.ECONFLICT, "The webhook cursor moved past %d.", b.From)
		}
		for _, m := range b.Messages {
			if _, err := tx.Exec(ctx, `INSERT INTO webhook_queue (webhook, msg_id, path, prefix, body, created_at, attempts, next_at)
				VALUES ($1, $2, $3, $4, $5, $6, 0, $6)`, m.Webhook, m.ID, m.Path, m.Prefix, m.Body, m.CreatedAt); err != nil {
				return fmt.Errorf("postgres: queue %s: %w", m.Webhook, err)
			}
		}
		for _, t := range b.DoneTimers {
			if _, err := tx.Exec(ctx, `DELETE FROM webhook_timers WHERE collection = $1 AND id = $2 AND kind = $3 AND due = $4`,
				t.Collection, t.ID, t.Kind, t.Due); err != nil {
				return fmt.Errorf("postgres: webhook timer: %w", err)
			}
		}
		for _, t := range b.Timers {
			if _, err := tx.Exec(ctx, `INSERT INTO webhook_timers (collection, id, kind, due) VALUES ($1, $2, $3, $4)
				ON CONFLICT (collection, id, kind) DO UPDATE SET due = EXCLUDED.due`, t.Collection, t.ID, t.Kind, t.Due); err != nil {
				return fmt.Errorf("postgres: webhook timer: %w", err)
			}
		}
		return nil
	})
}

// DueWebhookTimers returns up to limit timers due at or before now.
func (s *Store) DueWebhookTimers(ctx context.Context, now time.Time, limit int) ([]gone.WebhookTimer, error) {
	rows, _ := s.pool.Query(ctx, `SELECT collection, id, kind, due FROM webhook_timers WHERE due <= $1 ORDER BY due LIMIT $2`, now, limit)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (gone.WebhookTimer, error) {
		var t gone.WebhookTimer
		err := row.Scan(&t.Collection, &t.ID, &t.Kind, &t.Due)
		t.Due = t.Due.UTC()
		return t, err
	})
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: webhook timers: %w", err))
	}
	return out, nil
}

// PendingWebhooks returns the head of one subscription's queue.
func (s *Store) PendingWebhooks(ctx context.Context, name string, limit int) ([]gone.WebhookMessage, int, error) {
	var total int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM webhook_queue WHERE webhook = $1`, name).Scan(&total); err != nil {
		return nil, 0, unavailable(fmt.Errorf("postgres: webhook queue: %w", err))
	}
	rows, _ := s.pool.Query(ctx, `SELECT seq, webhook, msg_id, path, prefix, body, created_at, attempts, next_at
		FROM webhook_queue WHERE webhook = $1 ORDER BY seq LIMIT $2`, name, limit)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (gone.WebhookMessage, error) {
		var m gone.WebhookMessage
		err := row.Scan(&m.Seq, &m.Webhook, &m.ID, &m.Path, &m.Prefix, &m.Body, &m.CreatedAt, &m.Attempts, &m.NextAt)
		m.CreatedAt, m.NextAt = m.CreatedAt.UTC(), m.NextAt.UTC()
		return m, err
	})
	if err != nil {
		return nil, 0, unavailable(fmt.Errorf("postgres: webhook queue: %w", err))
	}
	return out, total, nil
}

// RecordWebhookAttempt logs a and moves the queue and the subscription on.
func (s *Store) RecordWebhookAttempt(ctx context.Context, a gone.WebhookAttempt, retry time.Time, pause string) error {
	return s.exec(ctx, func(tx pgx.Tx) error {
		type stmt struct {
			q    string
			args []any
		}
		steps := []stmt{
			{`INSERT INTO webhook_log (webhook, seq, msg_id, at, attempt, status, error, duration_ms, delivered)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				[]any{a.Webhook, a.Seq, a.MessageID, a.At, a.Attempt, a.Status, a.Error, a.Duration.Milliseconds(), a.Delivered}},
			{`DELETE FROM webhook_log WHERE webhook = $1 AND n <= (SELECT n FROM webhook_log WHERE webhook = $1 ORDER BY n DESC LIMIT 1 OFFSET $2)`,
				[]any{a.Webhook, gone.WebhookLogSize}},
		}
		if a.Delivered {
			steps = append(steps, stmt{`DELETE FROM webhook_queue WHERE seq = $1`, []any{a.Seq}},
				stmt{`UPDATE webhooks SET failures = 0 WHERE name = $1`, []any{a.Webhook}})
		} else {
			steps = append(steps, stmt{`UPDATE webhook_queue SET attempts = $1, next_at = $2 WHERE seq = $3`, []any{a.Attempt, retry, a.Seq}},
				stmt{`UPDATE webhooks SET failures = failures + 1 WHERE name = $1`, []any{a.Webhook}})
			if pause != "" {
				steps = append(steps, stmt{`UPDATE webhooks SET paused_at = $1, paused_reason = $2 WHERE name = $3`, []any{a.At, pause, a.Webhook}})
			}
		}
		for _, st := range steps {
			if _, err := tx.Exec(ctx, st.q, st.args...); err != nil {
				return fmt.Errorf("postgres: webhook attempt %s: %w", a.Webhook, err)
			}
		}
		return nil
	})
}

// WebhookAttempts returns the newest attempts of one subscription.
func (s *Store) WebhookAttempts(ctx context.Context, name string, limit int) ([]gone.WebhookAttempt, error) {
	rows, _ := s.pool.Query(ctx, `SELECT webhook, seq, msg_id, at, attempt, status, error, duration_ms, delivered
		FROM webhook_log WHERE webhook = $1 ORDER BY n DESC LIMIT $2`, name, limit)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (gone.WebhookAttempt, error) {
		var (
			a      gone.WebhookAttempt
			millis int64
		)
		err := row.Scan(&a.Webhook, &a.Seq, &a.MessageID, &a.At, &a.Attempt, &a.Status, &a.Error, &millis, &a.Delivered)
		a.At, a.Duration = a.At.UTC(), time.Duration(millis)*time.Millisecond
		return a, err
	})
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: webhook log: %w", err))
	}
	return out, nil
}

// WebhookLease makes holder the deliverer until until, unless another
// holder's lease runs past now. The conditional UPDATE is atomic: of two
// instances that find the lease lapsed, the second re-reads the row the
// first committed and no longer matches.
func (s *Store) WebhookLease(ctx context.Context, holder string, now, until time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE webhook_state SET holder = $1, until = $2
		WHERE name = 'deliverer' AND (holder = $1 OR until < $3)`, holder, until, now)
	if err != nil {
		return false, unavailable(fmt.Errorf("postgres: webhook lease: %w", err))
	}
	return tag.RowsAffected() == 1, nil
}
