package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/gonehttp/gone"
)

// Options tune a Deliverer; the zero value of each field means its default.
type Options struct {
	// APIPrefix is the path of the collections ("/api"), for events' paths.
	APIPrefix string
	// Poll is how often the audit log, the timers and the queues are
	// looked at (default 100ms: a purge reaches the cache well within a
	// second of the write).
	Poll time.Duration
	// Lease is how long one instance delivers before another may take
	// over, if it stops renewing (default 6s: deliveries pause that long
	// after the deliverer's process dies).
	Lease time.Duration
	// Backoff is the wait before the first retry; each further failure
	// doubles it, up to MaxBackoff (defaults 1s and 1h).
	Backoff, MaxBackoff time.Duration
	// PauseAfter is how many failures in a row pause a subscription
	// (default 15: with the default backoff, about five hours of failing).
	PauseAfter int
	// Timeout bounds one delivery (default 10s).
	Timeout time.Duration
	// Client sends the requests (default: a client that follows no
	// redirects, since a receiver's 3xx is not an acknowledgement).
	Client *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
	// Holder names this instance in the lease (default host, pid and a
	// random suffix).
	Holder string
}

// Deliverer follows the audit log and delivers its changes. Run one per
// process; the store's lease makes one of them, across every instance
// over one database, the one that delivers.
type Deliverer struct {
	store   gone.WebhookStore
	records gone.Store
	cfg     *gone.Config
	o       Options

	mu   sync.Mutex
	busy map[string]bool // subscriptions whose queue a goroutine is sending
	wg   sync.WaitGroup
}

// New returns a deliverer over store (the webhook tables) and records
// (the audit log and the records, usually the same store behind a cache).
func New(store gone.WebhookStore, records gone.Store, cfg *gone.Config, o Options) *Deliverer {
	if o.APIPrefix == "" {
		o.APIPrefix = "/api"
	}
	o.Poll = or(o.Poll, 100*time.Millisecond)
	o.Lease = or(o.Lease, 6*time.Second)
	o.Backoff = or(o.Backoff, time.Second)
	o.MaxBackoff = or(o.MaxBackoff, time.Hour)
	o.Timeout = or(o.Timeout, 10*time.Second)
	if o.PauseAfter <= 0 {
		o.PauseAfter = 15
	}
	if o.Client == nil {
		o.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Holder == "" {
		host, _ := os.Hostname()
		var b [4]byte
		rand.Read(b[:])
		o.Holder = host + "/" + strconv.Itoa(os.Getpid()) + "/" + hex.EncodeToString(b[:])
	}
	return &Deliverer{store: store, records: records, cfg: cfg, o: o, busy: map[string]bool{}}
}

func or(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (d *Deliverer) now() time.Time         { return d.o.Now() }
func (d *Deliverer) timeout() time.Duration { return d.o.Timeout }
func (d *Deliverer) client() *http.Client   { return d.o.Client }
func (d *Deliverer) backoff(attempt int) time.Duration {
	b := d.o.Backoff
	for i := 1; i < attempt && b < d.o.MaxBackoff; i++ {
		b *= 2
	}
	return min(b, d.o.MaxBackoff)
}

// Run delivers until ctx ends, then waits for deliveries in flight.
// Failures of the store are logged and retried at the next poll.
func (d *Deliverer) Run(ctx context.Context) {
	defer d.wg.Wait()
	t := time.NewTicker(d.o.Poll)
	defer t.Stop()
	var leaseUntil time.Time
	var lastTry time.Time
	for {
		now := d.now()
		// The holder renews a third of the way through its lease; the
		// others ask as often, so a lapsed lease is taken over within
		// Lease plus a third, and nobody writes on every poll.
		if now.Sub(lastTry) >= d.o.Lease/3 {
			lastTry = now
			ok, err := d.store.WebhookLease(ctx, d.o.Holder, now, now.Add(d.o.Lease))
			switch {
			case err != nil && ctx.Err() == nil:
				d.o.Log.Warn("webhooks: lease", "err", err)
				leaseUntil = time.Time{}
			case ok:
				leaseUntil = now.Add(d.o.Lease)
			default:
				leaseUntil = time.Time{}
			}
		}
		if now.Before(leaseUntil) {
			if err := d.Step(ctx); err != nil && ctx.Err() == nil {
				d.o.Log.Warn("webhooks: step", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Step queues what the audit log and the timers have for the
// subscriptions and starts sending every queue that is due. The caller
// must hold the lease (Run does).
func (d *Deliverer) Step(ctx context.Context) error {
	subs, err := d.store.Webhooks(ctx)
	if err != nil {
		return err
	}
	for {
		more, err := d.fanOut(ctx, subs)
		if err != nil {
			return err
		}
		if !more {
			break
		}
	}
	if err := d.fire(ctx, subs); err != nil {
		return err
	}
	for _, w := range subs {
		if w.PausedAt.IsZero() {
			d.start(ctx, w)
		}
	}
	return nil
}

// page bounds how many audit events one batch queues.
const page = 500

// admin is who the deliverer reads changes as: every fact of every change.
var admin = gone.Caller{Name: "webhooks", Scopes: []gone.Scope{gone.ScopeAdmin}}

// fanOut queues the messages of the audit events after the cursor and
// moves the cursor past them, in one transaction. more says a full page
// was read.
//
// The cursor keeps only the highest seq queued: that loses nothing
// because stores make events visible in seq order (gone.Store.Audit's
// contract, which storetest's AuditOrder checks). It reads one page per
// transaction rather than gone.ReadAfter's whole backlog, so a batch of
// queued messages stays bounded.
func (d *Deliverer) fanOut(ctx context.Context, subs []*gone.Webhook) (more bool, err error) {
	cursor, err := d.store.WebhookCursor(ctx)
	if err != nil {
		return false, err
	}
	evs, err := d.records.Audit(ctx, gone.AuditQuery{AfterSeq: cursor, Limit: page})
	if err != nil || len(evs) == 0 {
		return false, err
	}
	now := d.now()
	b := gone.WebhookBatch{From: cursor, To: evs[len(evs)-1].Seq}
	for _, e := range evs {
		if _, known := d.cfg.Policy(e.Collection); !known && e.Collection != gone.RulesCollection {
			continue // tokens, and collections no longer served
		}
		ch, ok := d.cfg.ChangeFor(e, admin)
		if !ok {
			continue
		}
		p, prefix := path(d.o.APIPrefix, e.Collection, e.ID)
		c := change{WebhookEvent: gone.WebhookEvent{Change: ch, Path: p}, msgID: "msg_" + strconv.FormatInt(e.Seq, 10),
			prefix: prefix, action: e.Action, cause: "write"}
		b.Messages = append(b.Messages, d.messages(subs, c, now)...)
		timers, err := d.timers(ctx, e, now)
		if err != nil {
			return false, err
		}
		b.Timers = append(b.Timers, timers...)
	}
	if err := d.store.EnqueueWebhooks(ctx, b); err != nil {
		if gone.ErrorCode(err) == gone.ECONFLICT {
			return false, nil // another deliverer queued them
		}
		return false, err
	}
	return len(evs) == page, nil
}

// messages makes c's message for every subscription that wants it.
func (d *Deliverer) messages(subs []*gone.Webhook, c change, now time.Time) []gone.WebhookMessage {
	var out []gone.WebhookMessage
	var body []byte
	for _, w := range subs {
		// A subscription hears of changes after its creation (a timer's
		// change has no seq: it happens now).
		if !w.Wants(c.WebhookEvent) || (c.Seq != 0 && c.Seq <= w.SinceSeq) {
			continue
		}
		if w.Kind == gone.IndexNow && !d.public(c.Collection) {
			continue // search engines never hear of what policy hides
		}
		m := gone.WebhookMessage{Webhook: w.Name, ID: c.msgID, Path: c.Path, Prefix: c.prefix, CreatedAt: now}
		if w.Kind == gone.WebhookJSON {
			if body == nil {
				body = c.body(now)
			}
			m.Body = body
		}
		out = append(out, m)
	}
	return out
}

// public reports whether the world may learn of changes in collection:
// the proxy's rules, and collections neither private nor concealed.
func (d *Deliverer) public(collection string) bool {
	if collection == gone.RulesCollection {
		return true
	}
	p, ok := d.cfg.Policy(collection)
	return ok && !p.Private && p.Disclosure != gone.DiscloseConceal
}

// timers returns the checks that e's record asks for: its expiry, and
// the end of its restore window, when they are still ahead.
func (d *Deliverer) timers(ctx context.Context, e gone.AuditEvent, now time.Time) ([]gone.WebhookTimer, error) {
	rec, err := d.records.Get(ctx, e.Collection, e.ID)
	if gone.ErrorCode(err) == gone.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("webhooks: read %s/%s: %w", e.Collection, e.ID, err)
	}
	var out []gone.WebhookTimer
	if rec.ExpiresAt.After(now) {
		out = append(out, gone.WebhookTimer{Collection: e.Collection, ID: e.ID, Kind: gone.TimerExpiry, Due: rec.ExpiresAt})
	}
	if rec.State(now) == gone.StateDeleted {
		out = append(out, gone.WebhookTimer{Collection: e.Collection, ID: e.ID, Kind: gone.TimerTrash, Due: rec.RestorableUntil})
	}
	return out, nil
}

// fire turns the timers that are due into messages, if what they wait for
// still holds: an expiry that was moved or cleared, or trash that was
// restored, sends nothing.
func (d *Deliverer) fire(ctx context.Context, subs []*gone.Webhook) error {
	now := d.now()
	due, err := d.store.DueWebhookTimers(ctx, now, page)
	if err != nil || len(due) == 0 {
		return err
	}
	cursor, err := d.store.WebhookCursor(ctx)
	if err != nil {
		return err
	}
	b := gone.WebhookBatch{From: cursor, To: cursor, DoneTimers: due}
	for _, t := range due {
		rec, err := d.records.Get(ctx, t.Collection, t.ID)
		if gone.ErrorCode(err) == gone.ENOTFOUND {
			continue
		}
		if err != nil {
			return fmt.Errorf("webhooks: read %s/%s: %w", t.Collection, t.ID, err)
		}
		ch := gone.Change{Collection: t.Collection, ID: t.ID, At: t.Due}
		switch {
		case t.Kind == gone.TimerExpiry && rec.ExpiresAt.Equal(t.Due) && rec.State(now) == gone.StateExpired:
			ch.Type, ch.ExpiresAt = gone.ChangeExpired, t.Due
		case t.Kind == gone.TimerTrash && rec.RestorableUntil.Equal(t.Due) && rec.State(now) == gone.StateGone:
			ch.Type, ch.Reason = gone.ChangeGone, rec.Reason
		default:
			continue
		}
		p, prefix := path(d.o.APIPrefix, t.Collection, t.ID)
		c := change{WebhookEvent: gone.WebhookEvent{Change: ch, Path: p}, msgID: timerID(t), prefix: prefix, cause: "time"}
		b.Messages = append(b.Messages, d.messages(subs, c, now)...)
	}
	if err := d.store.EnqueueWebhooks(ctx, b); err != nil && gone.ErrorCode(err) != gone.ECONFLICT {
		return err
	}
	return nil
}

// start sends w's queue in a goroutine of its own, unless one already
// does: a slow receiver holds up only its own subscription.
func (d *Deliverer) start(ctx context.Context, w *gone.Webhook) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.busy[w.Name] {
		return
	}
	d.busy[w.Name] = true
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer func() {
			d.mu.Lock()
			delete(d.busy, w.Name)
			d.mu.Unlock()
		}()
		if err := d.drain(ctx, w); err != nil && ctx.Err() == nil {
			d.o.Log.Warn("webhooks: delivering", "webhook", w.Name, "err", err)
		}
	}()
}

// drain sends w's queue in order until it is empty, a message is not due,
// or a delivery fails. A message leaves the queue only after its
// receiver acknowledged it, so a crash at any point sends it again.
func (d *Deliverer) drain(ctx context.Context, w *gone.Webhook) error {
	failures := w.Failures
	for ctx.Err() == nil {
		msgs, _, err := d.store.PendingWebhooks(ctx, w.Name, 50)
		if err != nil || len(msgs) == 0 {
			return err
		}
		for _, m := range msgs {
			// After a resume (failures back to 0) the head goes at once.
			if failures > 0 && m.NextAt.After(d.now()) {
				return nil
			}
			a := d.send(ctx, w, m)
			if ctx.Err() != nil {
				return nil // shutting down: the message stays queued
			}
			if a.Delivered {
				failures = 0
				if err := d.store.RecordWebhookAttempt(ctx, a, time.Time{}, ""); err != nil {
					return err
				}
				continue
			}
			failures++
			pause := ""
			if failures >= d.o.PauseAfter {
				pause = fmt.Sprintf("paused after %d failed deliveries in a row; the last: %s", failures, a.Error)
				d.o.Log.Warn("webhooks: subscription paused", "webhook", w.Name, "reason", pause)
			}
			return d.store.RecordWebhookAttempt(ctx, a, a.At.Add(d.backoff(a.Attempt)), pause)
		}
	}
	return nil
}
