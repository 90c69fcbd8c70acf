package webhook_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/webhook"
)

// TestSubscriptionChangesAreNotDelivered checks that the audit events of
// subscription changes (collection "webhooks") reach no subscriber, not
// even one without a filter: they change no resource's answer. The one
// resource change after them is delivered, alone.
func TestSubscriptionChangesAreNotDelivered(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	rcv := newReceiver(t)
	w.subscribe(t, &gone.Webhook{Name: "all", URL: rcv.URL})
	other := w.subscribe(t, &gone.Webhook{Name: "other", URL: rcv.URL + "/other", Collections: []string{"posts"}})
	if _, err := w.store.UpdateWebhook(ctx, "other", func(h *gone.Webhook) (gone.AuditEvent, error) {
		before := *h
		h.PausedAt, h.PausedReason = w.clock.Now(), "paused by admin"
		return gone.WebhookAudit(&before, h, "admin", "", w.clock.Now()), nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.store.DeleteWebhook(ctx, "other", func(h *gone.Webhook) gone.AuditEvent {
		return gone.WebhookAudit(h, nil, "admin", "", w.clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	evs, err := w.store.Audit(ctx, gone.AuditQuery{Collection: gone.WebhooksCollection})
	if err != nil || len(evs) != 4 {
		t.Fatalf("audit of webhooks = %+v, %v; want 4 events (2 creates, a pause, a delete) of %s", evs, err, other.Name)
	}
	rec, err := w.svc.Create(ctx, writer, "users", json.RawMessage(`{"name":"ana"}`))
	if err != nil {
		t.Fatal(err)
	}
	d := w.deliverer(webhook.Options{})
	steps(t, d, func() bool { return len(rcv.requests()) >= 1 })
	for range 5 {
		step(t, d)
	}
	time.Sleep(50 * time.Millisecond)
	got := rcv.requests()
	if len(got) != 1 {
		t.Fatalf("requests = %d, want 1 (the user's creation only)", len(got))
	}
	if ev := decode(t, got[0].body); ev.Type != "resource.created" || ev.Data.ID != rec.ID {
		t.Errorf("delivered %+v; want resource.created of users/%s", ev, rec.ID)
	}
}
