package storetest

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/gonehttp/gone"
)

// memHooks is the reference gone.WebhookStore of memStore.
type memHooks struct {
	mu     sync.Mutex
	subs   map[string]gone.Webhook
	queue  []gone.WebhookMessage
	log    []gone.WebhookAttempt // oldest first
	timers map[[3]string]gone.WebhookTimer
	cursor int64
	qseq   int64
	holder string
	until  time.Time
}

func newMemHooks() *memHooks {
	return &memHooks{subs: map[string]gone.Webhook{}, timers: map[[3]string]gone.WebhookTimer{}}
}

var _ gone.WebhookStore = (*memStore)(nil)

// The subscription changes run inside Update, so that their audit events
// commit with them as the real stores' do.

func (s *memStore) CreateWebhook(ctx context.Context, w *gone.Webhook, e gone.AuditEvent) error {
	return s.Update(ctx, func(tx gone.Tx) error {
		h := s.hooks
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[w.Name]; ok {
			return gone.Errorf(gone.ECONFLICT, "taken")
		}
		s.mu.RLock()
		w.SinceSeq = s.seq
		s.mu.RUnlock()
		h.subs[w.Name] = *w
		return tx.AppendAudit(ctx, e)
	})
}

func (s *memStore) UpdateWebhook(ctx context.Context, name string, fn func(*gone.Webhook) (gone.AuditEvent, error)) (*gone.Webhook, error) {
	var out *gone.Webhook
	err := s.Update(ctx, func(tx gone.Tx) error {
		h := s.hooks
		h.mu.Lock()
		defer h.mu.Unlock()
		w, ok := h.subs[name]
		if !ok {
			return gone.Errorf(gone.ENOTFOUND, "no")
		}
		e, err := fn(&w)
		if err != nil {
			return err
		}
		w.Name = name
		h.subs[name] = w
		out = &w
		return tx.AppendAudit(ctx, e)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *memStore) DeleteWebhook(ctx context.Context, name string, audit func(*gone.Webhook) gone.AuditEvent) error {
	return s.Update(ctx, func(tx gone.Tx) error {
		h := s.hooks
		h.mu.Lock()
		defer h.mu.Unlock()
		w, ok := h.subs[name]
		if !ok {
			return gone.Errorf(gone.ENOTFOUND, "no")
		}
		delete(h.subs, name)
		h.queue = slices.DeleteFunc(h.queue, func(m gone.WebhookMessage) bool { return m.Webhook == name })
		h.log = slices.DeleteFunc(h.log, func(a gone.WebhookAttempt) bool { return a.Webhook == name })
		return tx.AppendAudit(ctx, audit(&w))
	})
}

func (s *memStore) Webhook(ctx context.Context, name string) (*gone.Webhook, error) {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	w, ok := h.subs[name]
	if !ok {
		return nil, gone.Errorf(gone.ENOTFOUND, "no")
	}
	return &w, nil
}

func (s *memStore) Webhooks(ctx context.Context) ([]*gone.Webhook, error) {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*gone.Webhook
	for _, w := range h.subs {
		out = append(out, &w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (s *memStore) WebhookCursor(ctx context.Context) (int64, error) {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	return s.hooks.cursor, nil
}

func (s *memStore) EnqueueWebhooks(ctx context.Context, b gone.WebhookBatch) error {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cursor != b.From {
		return gone.Errorf(gone.ECONFLICT, "moved")
	}
	h.cursor = b.To
	for _, m := range b.Messages {
		h.qseq++
		m.Seq, m.NextAt, m.Attempts = h.qseq, m.CreatedAt, 0
		h.queue = append(h.queue, m)
	}
	for _, t := range b.DoneTimers {
		k := [3]string{t.Collection, t.ID, t.Kind}
		if cur, ok := h.timers[k]; ok && cur.Due.Equal(t.Due) {
			delete(h.timers, k)
		}
	}
	for _, t := range b.Timers {
		h.timers[[3]string{t.Collection, t.ID, t.Kind}] = t
	}
	return nil
}

func (s *memStore) DueWebhookTimers(ctx context.Context, now time.Time, limit int) ([]gone.WebhookTimer, error) {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []gone.WebhookTimer
	for _, t := range h.timers {
		if !t.Due.After(now) {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (s *memStore) PendingWebhooks(ctx context.Context, name string, limit int) ([]gone.WebhookMessage, int, error) {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []gone.WebhookMessage
	n := 0
	for _, m := range h.queue {
		if m.Webhook == name {
			if n < limit {
				out = append(out, m)
			}
			n++
		}
	}
	return out, n, nil
}

func (s *memStore) RecordWebhookAttempt(ctx context.Context, a gone.WebhookAttempt, retry time.Time, pause string) error {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log = append(h.log, a)
	var mine []int
	for i, l := range h.log {
		if l.Webhook == a.Webhook {
			mine = append(mine, i)
		}
	}
	if len(mine) > gone.WebhookLogSize {
		drop := mine[0]
		h.log = append(h.log[:drop], h.log[drop+1:]...)
	}
	w, ok := h.subs[a.Webhook]
	for i, m := range h.queue {
		if m.Seq != a.Seq {
			continue
		}
		if a.Delivered {
			h.queue = append(h.queue[:i], h.queue[i+1:]...)
		} else {
			h.queue[i].Attempts, h.queue[i].NextAt = a.Attempt, retry
		}
		break
	}
	if !ok {
		return nil
	}
	if a.Delivered {
		w.Failures = 0
	} else {
		w.Failures++
		if pause != "" {
			w.PausedAt, w.PausedReason = a.At, pause
		}
	}
	h.subs[a.Webhook] = w
	return nil
}

func (s *memStore) WebhookAttempts(ctx context.Context, name string, limit int) ([]gone.WebhookAttempt, error) {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []gone.WebhookAttempt
	for i := len(h.log) - 1; i >= 0 && len(out) < limit; i-- {
		if h.log[i].Webhook == name {
			out = append(out, h.log[i])
		}
	}
	return out, nil
}

func (s *memStore) WebhookLease(ctx context.Context, holder string, now, until time.Time) (bool, error) {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.holder != holder && !h.until.Before(now) {
		return false, nil
	}
	h.holder, h.until = holder, until
	return true, nil
}
