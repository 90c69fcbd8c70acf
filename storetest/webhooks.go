package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// testWebhooks checks gone.WebhookStore, which every store that serves
// requests implements beside gone.Store.
func testWebhooks(t *testing.T, newStore func(t *testing.T) gone.Store) {
	stores := func(t *testing.T) (gone.Store, gone.WebhookStore) {
		t.Helper()
		s := open(t, newStore)
		ws, ok := s.(gone.WebhookStore)
		if !ok {
			t.Fatalf("%T does not implement gone.WebhookStore", s)
		}
		return s, ws
	}
	hook := func(name string) *gone.Webhook {
		return &gone.Webhook{Name: name, Kind: gone.WebhookJSON, URL: "https://example.com/" + name,
			Secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", Collections: []string{"users", "posts"},
			PathPrefix: "/api/", Types: []gone.ChangeType{gone.ChangeGone, gone.ChangeMoved}, CreatedAt: t0, CreatedBy: "admin"}
	}

	// audit is a subscription change's audit event, as the API writes it
	// (the tests of what it says are the domain's).
	audit := func(w *gone.Webhook) gone.AuditEvent {
		return gone.AuditEvent{At: t0, Actor: "admin", Action: gone.ActionWebhookUpdate, Collection: gone.WebhooksCollection, ID: w.Name}
	}

	t.Run("Subscriptions", func(t *testing.T) {
		t.Parallel()
		store, s := stores(t)
		if _, err := s.Webhook(ctx(t), "a"); gone.ErrorCode(err) != gone.ENOTFOUND {
			t.Errorf("Webhook(absent) error = %v, want ENOTFOUND", err)
		}
		want := hook("a")
		if err := s.CreateWebhook(ctx(t), want, audit(want)); err != nil {
			t.Fatalf("CreateWebhook: %v", err)
		}
		if err := s.CreateWebhook(ctx(t), hook("a"), audit(hook("a"))); gone.ErrorCode(err) != gone.ECONFLICT {
			t.Errorf("CreateWebhook(taken name) error = %v, want ECONFLICT", err)
		}
		got, err := s.Webhook(ctx(t), "a")
		if err != nil || fmt.Sprint(*got) != fmt.Sprint(*want) {
			t.Errorf("Webhook(a) = %+v, %v;\nwant %+v", got, err, want)
		}
		paused := t0.Add(time.Hour)
		if _, err := s.UpdateWebhook(ctx(t), "a", func(w *gone.Webhook) (gone.AuditEvent, error) {
			w.PausedAt, w.PausedReason, w.Failures, w.Types = paused, "failing", 3, nil
			return audit(w), nil
		}); err != nil {
			t.Fatalf("UpdateWebhook: %v", err)
		}
		got, _ = s.Webhook(ctx(t), "a")
		if !got.PausedAt.Equal(paused) || got.PausedReason != "failing" || got.Failures != 3 || len(got.Types) != 0 {
			t.Errorf("after UpdateWebhook: %+v; want paused at %v, 3 failures, no types", got, paused)
		}
		if _, err := s.UpdateWebhook(ctx(t), "b", func(w *gone.Webhook) (gone.AuditEvent, error) { return audit(w), nil }); gone.ErrorCode(err) != gone.ENOTFOUND {
			t.Errorf("UpdateWebhook(absent) error = %v, want ENOTFOUND", err)
		}
		// A subscription starts after the audit log's last event.
		if err := store.Update(ctx(t), func(tx gone.Tx) error {
			return tx.AppendAudit(ctx(t), gone.AuditEvent{At: t0, Action: gone.ActionCreate, Collection: "users", ID: "1"})
		}); err != nil {
			t.Fatal(err)
		}
		evs, _ := store.Audit(ctx(t), gone.AuditQuery{Newest: true, Limit: 1})
		first := hook("0-first")
		if err := s.CreateWebhook(ctx(t), first, audit(first)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Webhook(ctx(t), "0-first"); len(evs) != 1 || got.SinceSeq != evs[0].Seq || want.SinceSeq != 0 {
			t.Errorf("SinceSeq = %d (and %d before any event); want the last event's seq %v, and 0", got.SinceSeq, want.SinceSeq, seqs(evs))
		}
		all, err := s.Webhooks(ctx(t))
		if err != nil || len(all) != 2 || all[0].Name != "0-first" || all[1].Name != "a" {
			t.Errorf("Webhooks() = %v, %v; want 0-first and a, by name", all, err)
		}
		if err := s.DeleteWebhook(ctx(t), "a", audit); err != nil {
			t.Fatalf("DeleteWebhook: %v", err)
		}
		if err := s.DeleteWebhook(ctx(t), "a", audit); gone.ErrorCode(err) != gone.ENOTFOUND {
			t.Errorf("DeleteWebhook twice: error = %v, want ENOTFOUND", err)
		}
	})

	// Each change commits its audit event with it, and a refused change
	// leaves neither.
	t.Run("ChangesAudited", func(t *testing.T) {
		t.Parallel()
		store, s := stores(t)
		event := func(action string) func(*gone.Webhook) gone.AuditEvent {
			return func(w *gone.Webhook) gone.AuditEvent {
				return gone.AuditEvent{At: t0, Actor: "ops", Action: action, Collection: gone.WebhooksCollection, ID: w.Name, Reason: "why " + action}
			}
		}
		refused := errors.New("refused")
		steps := []struct {
			name   string
			do     func() error
			action string // the event it leaves, "" for none
		}{
			{"create", func() error { h := hook("a"); return s.CreateWebhook(ctx(t), h, event(gone.ActionWebhookCreate)(h)) }, gone.ActionWebhookCreate},
			{"create a taken name", func() error { h := hook("a"); return s.CreateWebhook(ctx(t), h, event(gone.ActionWebhookCreate)(h)) }, ""},
			{"update", func() error {
				_, err := s.UpdateWebhook(ctx(t), "a", func(w *gone.Webhook) (gone.AuditEvent, error) {
					w.URL = "https://example.com/new"
					return event(gone.ActionWebhookUpdate)(w), nil
				})
				return err
			}, gone.ActionWebhookUpdate},
			{"update refused by fn", func() error {
				_, err := s.UpdateWebhook(ctx(t), "a", func(w *gone.Webhook) (gone.AuditEvent, error) {
					w.URL = "https://example.com/kept-out"
					return event(gone.ActionWebhookPause)(w), refused
				})
				return err
			}, ""},
			{"delete", func() error { return s.DeleteWebhook(ctx(t), "a", event(gone.ActionWebhookDelete)) }, gone.ActionWebhookDelete},
			{"delete again", func() error { return s.DeleteWebhook(ctx(t), "a", event(gone.ActionWebhookDelete)) }, ""},
		}
		last := int64(0)
		for _, st := range steps {
			err := st.do()
			if (err == nil) != (st.action != "") {
				t.Errorf("%s: error = %v, want an error %v", st.name, err, st.action == "")
			}
			evs, aerr := store.Audit(ctx(t), gone.AuditQuery{AfterSeq: last})
			switch {
			case aerr != nil:
				t.Fatalf("%s: Audit: %v", st.name, aerr)
			case st.action == "" && len(evs) != 0:
				t.Errorf("%s: audit gained %+v; want nothing", st.name, evs)
			case st.action != "" && (len(evs) != 1 || evs[0].Action != st.action || evs[0].Collection != gone.WebhooksCollection ||
				evs[0].ID != "a" || evs[0].Actor != "ops" || evs[0].Reason != "why "+st.action):
				t.Errorf("%s: audit gained %+v; want one %s of webhooks/a by ops", st.name, evs, st.action)
			}
			if len(evs) > 0 {
				last = evs[len(evs)-1].Seq
			}
			if st.name == "update refused by fn" {
				if w, _ := s.Webhook(ctx(t), "a"); w == nil || w.URL != "https://example.com/new" {
					t.Errorf("%s: subscription = %+v; want the URL of the last update kept", st.name, w)
				}
			}
		}
	})

	t.Run("QueueAndCursor", func(t *testing.T) {
		t.Parallel()
		_, s := stores(t)
		c, err := s.WebhookCursor(ctx(t))
		if err != nil || c != 0 {
			t.Fatalf("WebhookCursor() on an empty store = %d, %v; want 0", c, err)
		}
		msgs := []gone.WebhookMessage{
			{Webhook: "a", ID: "m1", Body: []byte(`{"n":1}`), CreatedAt: t0},
			{Webhook: "b", ID: "m1", Path: "/x/", Prefix: true, CreatedAt: t0},
			{Webhook: "a", ID: "m2", Body: []byte(`{"n":2}`), CreatedAt: t0},
		}
		if err := s.EnqueueWebhooks(ctx(t), gone.WebhookBatch{From: 0, To: 5, Messages: msgs}); err != nil {
			t.Fatalf("EnqueueWebhooks: %v", err)
		}
		// A second deliverer that read the same cursor is refused, and
		// writes nothing.
		err = s.EnqueueWebhooks(ctx(t), gone.WebhookBatch{From: 0, To: 5, Messages: msgs})
		if gone.ErrorCode(err) != gone.ECONFLICT {
			t.Errorf("EnqueueWebhooks from a stale cursor: error = %v, want ECONFLICT", err)
		}
		if c, _ := s.WebhookCursor(ctx(t)); c != 5 {
			t.Errorf("cursor = %d, want 5", c)
		}
		q, n, err := s.PendingWebhooks(ctx(t), "a", 10)
		if err != nil || n != 2 || len(q) != 2 || q[0].ID != "m1" || q[1].ID != "m2" || string(q[1].Body) != `{"n":2}` {
			t.Fatalf("PendingWebhooks(a) = %+v, %d, %v; want m1 then m2", q, n, err)
		}
		if q[0].Seq >= q[1].Seq || !q[0].NextAt.Equal(t0) {
			t.Errorf("queue: seqs %d, %d and next %v; want rising seqs and next = created %v", q[0].Seq, q[1].Seq, q[0].NextAt, t0)
		}
		qb, _, _ := s.PendingWebhooks(ctx(t), "b", 10)
		if len(qb) != 1 || qb[0].Path != "/x/" || !qb[0].Prefix || qb[0].Body != nil {
			t.Errorf("PendingWebhooks(b) = %+v; want one prefix purge of /x/ with no body", qb)
		}

		// A failure keeps the message, later; a success removes it.
		retry := t0.Add(1500 * time.Millisecond)
		fail := gone.WebhookAttempt{Webhook: "a", Seq: q[0].Seq, MessageID: "m1", At: t0, Attempt: 1, Status: 500, Error: "500", Duration: 20 * time.Millisecond}
		if err := s.CreateWebhook(ctx(t), hook("a"), audit(hook("a"))); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordWebhookAttempt(ctx(t), fail, retry, "failed 1 time"); err != nil {
			t.Fatalf("RecordWebhookAttempt(failed): %v", err)
		}
		q, _, _ = s.PendingWebhooks(ctx(t), "a", 1)
		if len(q) != 1 || q[0].ID != "m1" || q[0].Attempts != 1 || !q[0].NextAt.Equal(retry) {
			t.Errorf("after a failure, head = %+v; want m1, 1 attempt, next at %v", q, retry)
		}
		w, _ := s.Webhook(ctx(t), "a")
		if w.Failures != 1 || w.PausedReason != "failed 1 time" || !w.PausedAt.Equal(t0) {
			t.Errorf("after a failure with a pause: %+v; want 1 failure, paused at %v", w, t0)
		}
		ok := gone.WebhookAttempt{Webhook: "a", Seq: q[0].Seq, MessageID: "m1", At: retry, Attempt: 2, Status: 204, Delivered: true}
		if err := s.RecordWebhookAttempt(ctx(t), ok, time.Time{}, ""); err != nil {
			t.Fatalf("RecordWebhookAttempt(delivered): %v", err)
		}
		q, n, _ = s.PendingWebhooks(ctx(t), "a", 10)
		if n != 1 || q[0].ID != "m2" {
			t.Errorf("after delivery, queue = %+v (%d); want m2 alone", q, n)
		}
		if w, _ := s.Webhook(ctx(t), "a"); w.Failures != 0 {
			t.Errorf("failures after a delivery = %d, want 0", w.Failures)
		}
		log, err := s.WebhookAttempts(ctx(t), "a", 10)
		if err != nil || len(log) != 2 || !log[0].Delivered || log[1].Status != 500 || log[1].Duration != 20*time.Millisecond || !log[1].At.Equal(t0) {
			t.Errorf("WebhookAttempts(a) = %+v, %v; want the delivery, then the 500 of 20ms", log, err)
		}
	})

	t.Run("LogIsBounded", func(t *testing.T) {
		t.Parallel()
		_, s := stores(t)
		for i := range gone.WebhookLogSize + 5 {
			a := gone.WebhookAttempt{Webhook: "a", Seq: 1, MessageID: "m", At: t0, Attempt: i + 1, Status: 500}
			if err := s.RecordWebhookAttempt(ctx(t), a, t0, ""); err != nil {
				t.Fatal(err)
			}
		}
		log, _ := s.WebhookAttempts(ctx(t), "a", 1000)
		if len(log) != gone.WebhookLogSize || log[0].Attempt != gone.WebhookLogSize+5 {
			t.Errorf("log holds %d attempts, newest %d; want %d, newest %d", len(log), log[0].Attempt, gone.WebhookLogSize, gone.WebhookLogSize+5)
		}
	})

	t.Run("Timers", func(t *testing.T) {
		t.Parallel()
		_, s := stores(t)
		timers := []gone.WebhookTimer{
			{Collection: "users", ID: "1", Kind: gone.TimerExpiry, Due: t0.Add(2 * time.Second)},
			{Collection: "users", ID: "2", Kind: gone.TimerTrash, Due: t0.Add(time.Second)},
		}
		if err := s.EnqueueWebhooks(ctx(t), gone.WebhookBatch{Timers: timers}); err != nil {
			t.Fatal(err)
		}
		// Setting a timer again moves it.
		moved := timers[0]
		moved.Due = t0.Add(time.Hour)
		if err := s.EnqueueWebhooks(ctx(t), gone.WebhookBatch{Timers: []gone.WebhookTimer{moved}}); err != nil {
			t.Fatal(err)
		}
		due, err := s.DueWebhookTimers(ctx(t), t0.Add(time.Minute), 10)
		if err != nil || len(due) != 1 || due[0] != timers[1] {
			t.Fatalf("DueWebhookTimers(+1m) = %v, %v; want only %v", due, err, timers[1])
		}
		if err := s.EnqueueWebhooks(ctx(t), gone.WebhookBatch{DoneTimers: due}); err != nil {
			t.Fatal(err)
		}
		due, _ = s.DueWebhookTimers(ctx(t), t0.Add(2*time.Hour), 10)
		if len(due) != 1 || due[0] != moved {
			t.Errorf("DueWebhookTimers(+2h) = %v; want only %v", due, moved)
		}
	})

	t.Run("Lease", func(t *testing.T) {
		t.Parallel()
		_, s := stores(t)
		steps := []struct {
			holder string
			now    time.Duration
			want   bool
		}{
			{"a", 0, true},
			{"b", time.Second, false},      // a holds it until +10s
			{"a", 5 * time.Second, true},   // renewal: until +15s
			{"b", 12 * time.Second, false}, // still a's
			{"b", 16 * time.Second, true},  // a lapsed
			{"a", 17 * time.Second, false}, // now b's
			{"b", 100 * time.Second, true}, // the holder may renew late
			{"a", 111 * time.Second, true}, // b lapsed at +110s
		}
		for _, st := range steps {
			now := t0.Add(st.now)
			got, err := s.WebhookLease(ctx(t), st.holder, now, now.Add(10*time.Second))
			if err != nil || got != st.want {
				t.Errorf("WebhookLease(%s at +%v) = %v, %v; want %v", st.holder, st.now, got, err, st.want)
			}
		}
	})
}
