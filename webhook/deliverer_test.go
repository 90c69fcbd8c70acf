package webhook_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/config"
	"github.com/gonehttp/gone/sqlite"
	"github.com/gonehttp/gone/webhook"
)

const testConfig = `{"collections": [
	{"name": "users", "restoreWindow": "1h"},
	{"name": "posts"},
	{"name": "accounts", "disclosure": "conceal"}
]}`

var writer = gone.Caller{Name: "tester", Scopes: []gone.Scope{gone.ScopeAdmin}}

// clock is a settable clock shared by the service and the deliverer.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type world struct {
	store *sqlite.Store
	svc   *gone.Service
	cfg   *gone.Config
	clock *clock
	path  string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	cfg, _, err := config.Parse(strings.NewReader(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "gone.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := &clock{t: time.Now().UTC().Truncate(time.Second)}
	svc := gone.NewService(s, cfg, gone.WithClock(c.Now))
	return &world{store: s, svc: svc, cfg: cfg, clock: c, path: path}
}

func (w *world) deliverer(o webhook.Options) *webhook.Deliverer {
	if o.Now == nil {
		o.Now = w.clock.Now
	}
	return webhook.New(w.store, w.store, w.cfg, o)
}

func (w *world) subscribe(t *testing.T, h *gone.Webhook) *gone.Webhook {
	t.Helper()
	h.CreatedAt = w.clock.Now()
	if err := h.Check(); err != nil {
		t.Fatalf("Check(%+v): %v", h, err)
	}
	if err := w.store.CreateWebhook(context.Background(), h, gone.WebhookAudit(nil, h, "admin", "", h.CreatedAt)); err != nil {
		t.Fatal(err)
	}
	return h
}

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is an HTTP endpoint that records what it is sent and answers
// with status() (200 by default).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status atomic.Int32
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.status.Store(200)
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{req.Header.Clone(), b})
		r.mu.Unlock()
		w.WriteHeader(int(r.status.Load()))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// steps runs the deliverer's steps until cond holds or 5 s pass.
func steps(t *testing.T, d *webhook.Deliverer, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for deliveries")
		}
		if err := d.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func decode(t *testing.T, b []byte) webhook.Event {
	t.Helper()
	var ev webhook.Event
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("body %s: %v", b, err)
	}
	return ev
}

// TestSignedEventsVerifiedByPython delivers a resource's lifecycle and has
// Python's hmac module, not gone's code, check every signature.
func TestSignedEventsVerifiedByPython(t *testing.T) {
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	w := newWorld(t)
	rcv := newReceiver(t)
	sub := w.subscribe(t, &gone.Webhook{Name: "site", URL: rcv.URL, Collections: []string{"users"}})
	ctx := context.Background()
	rec, err := w.svc.Create(ctx, writer, "users", json.RawMessage(`{"name":"ana"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Create(ctx, writer, "posts", json.RawMessage(`{}`)); err != nil { // filtered out
		t.Fatal(err)
	}
	if _, err := w.svc.Delete(ctx, writer, "users", rec.ID, gone.DeleteOptions{Reason: "Spam account"}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Restore(ctx, writer, "users", rec.ID, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Delete(ctx, writer, "users", rec.ID, gone.DeleteOptions{Permanent: true, Reason: "account closed"}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	d := w.deliverer(webhook.Options{})
	steps(t, d, func() bool { return len(rcv.requests()) >= 4 })

	reqs := rcv.requests()
	wantTypes := []string{"resource.created", "resource.deleted", "resource.restored", "resource.gone"}
	if len(reqs) != len(wantTypes) {
		t.Fatalf("got %d requests, want %d (posts filtered out)", len(reqs), len(wantTypes))
	}
	key, _ := gone.WebhookKey(sub.Secret)
	for i, r := range reqs {
		ev := decode(t, r.body)
		if ev.Type != wantTypes[i] || ev.Data.ID != rec.ID || ev.Data.Path != "/api/users/"+rec.ID || ev.Data.Cause != "write" {
			t.Errorf("request %d: type %s, id %s, path %s, cause %s; want %s for /api/users/%s by a write",
				i, ev.Type, ev.Data.ID, ev.Data.Path, ev.Data.Cause, wantTypes[i], rec.ID)
		}
		id, ts, sig := r.header.Get("webhook-id"), r.header.Get("webhook-timestamp"), r.header.Get("webhook-signature")
		// The independent check: Python's hmac over id.timestamp.body.
		script := `import sys, hmac, hashlib, base64
key = base64.b64decode(sys.argv[1]); msg = sys.argv[2].encode() + b"." + sys.argv[3].encode() + b"." + sys.stdin.buffer.read()
print("v1," + base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode())`
		cmd := exec.Command(py, "-c", script, base64.StdEncoding.EncodeToString(key), id, ts)
		cmd.Stdin = strings.NewReader(string(r.body))
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("python3: %v", err)
		}
		if want := strings.TrimSpace(string(out)); sig != want {
			t.Errorf("request %d: webhook-signature = %q, Python computes %q", i, sig, want)
		}
		if !webhook.Verify(sub.Secret, id, ts, r.body, sig, time.Now(), time.Minute) {
			t.Errorf("request %d: webhook.Verify refuses its own signature", i)
		}
		if tampered := append([]byte(nil), r.body...); webhook.Verify(sub.Secret, id, ts, append(tampered, ' '), sig, time.Now(), time.Minute) {
			t.Errorf("request %d: webhook.Verify accepts a changed body", i)
		}
	}
	if got := decode(t, reqs[3].body).Data.Reason; got != "account closed" {
		t.Errorf("gone event reason = %q, want %q", got, "account closed")
	}
	var log []gone.WebhookAttempt
	waitFor(t, func() bool { log, _ = w.store.WebhookAttempts(ctx, "site", 10); return len(log) == 4 })
	if len(log) != 4 || !log[0].Delivered {
		t.Errorf("delivery log = %+v; want 4 delivered attempts", log)
	}
}

// TestBackoffPausesAndResumes checks that a failing receiver is retried
// with growing waits, paused after PauseAfter failures, and sent the
// queue in order once resumed.
func TestBackoffPausesAndResumes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rcv := newReceiver(t)
	rcv.status.Store(503)
	w.subscribe(t, &gone.Webhook{Name: "flaky", URL: rcv.URL})
	ctx := context.Background()
	for range 3 {
		if _, err := w.svc.Create(ctx, writer, "posts", json.RawMessage(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	d := w.deliverer(webhook.Options{Backoff: time.Second, PauseAfter: 3})
	if err := d.Step(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(rcv.requests()) == 1 })
	// Not due yet: a second step sends nothing.
	step(t, d)
	if n := len(rcv.requests()); n != 1 {
		t.Errorf("requests before the backoff passed = %d, want 1", n)
	}
	// Retries at +1s and +2s more: the third failure pauses.
	for i, wait := range []time.Duration{time.Second, 2 * time.Second} {
		w.clock.Add(wait)
		step(t, d)
		waitFor(t, func() bool { return len(rcv.requests()) == i+2 })
	}
	waitFor(t, func() bool {
		h, _ := w.store.Webhook(ctx, "flaky")
		return !h.PausedAt.IsZero()
	})
	h, _ := w.store.Webhook(ctx, "flaky")
	if h.Failures != 3 || !strings.Contains(h.PausedReason, "3 failed deliveries") || !strings.Contains(h.PausedReason, "HTTP 503") {
		t.Errorf("paused subscription: failures %d, reason %q; want 3 and a reason naming the 503", h.Failures, h.PausedReason)
	}
	w.clock.Add(time.Hour)
	step(t, d)
	if n := len(rcv.requests()); n != 3 {
		t.Errorf("requests while paused = %d, want 3", n)
	}
	// Resume: everything queued goes, in order, with its first id first.
	rcv.status.Store(204)
	if _, err := w.store.UpdateWebhook(ctx, "flaky", func(h *gone.Webhook) (gone.AuditEvent, error) {
		before := *h
		h.PausedAt, h.PausedReason, h.Failures = time.Time{}, "", 0
		return gone.WebhookAudit(&before, h, "admin", "fixed", w.clock.Now()), nil
	}); err != nil {
		t.Fatal(err)
	}
	steps(t, d, func() bool { return len(rcv.requests()) == 6 })
	reqs := rcv.requests()
	var ids []string
	for _, r := range reqs {
		ids = append(ids, r.header.Get("webhook-id"))
	}
	if ids[0] != ids[1] || ids[0] != ids[3] || ids[3] == ids[4] || ids[4] == ids[5] {
		t.Errorf("webhook-ids in order = %v; want the first message's id on its 4 tries, then two new ones", ids)
	}
	var log []gone.WebhookAttempt
	waitFor(t, func() bool { log, _ = w.store.WebhookAttempts(ctx, "flaky", 10); return len(log) == 6 })
	if len(log) != 6 || log[5].Status != 503 || log[5].Attempt != 1 || log[3].Attempt != 3 || !log[2].Delivered {
		t.Errorf("log (newest first) = %+v; want 3 failures of attempts 1-3, then 3 deliveries", log)
	}
}

func step(t *testing.T, d *webhook.Deliverer) {
	t.Helper()
	if err := d.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // let a started delivery finish
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTimeCausedEvents checks that an expiry and the end of a restore
// window are delivered when they happen, though no write marks them, and
// that a restore cancels the window's event.
func TestTimeCausedEvents(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rcv := newReceiver(t)
	w.subscribe(t, &gone.Webhook{Name: "site", URL: rcv.URL, Types: []gone.ChangeType{gone.ChangeExpired, gone.ChangeGone}})
	ctx := context.Background()
	now := w.clock.Now()
	exp, _ := w.svc.Create(ctx, writer, "posts", json.RawMessage(`{}`))
	if _, err := w.svc.SetLifecycle(ctx, writer, "posts", exp.ID, gone.LifecycleChange{ExpiresAt: gone.Optional[time.Time]{Set: true, Value: now.Add(10 * time.Minute)}}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	trash, _ := w.svc.Create(ctx, writer, "users", json.RawMessage(`{}`))
	restored, _ := w.svc.Create(ctx, writer, "users", json.RawMessage(`{}`))
	for _, id := range []string{trash.ID, restored.ID} {
		if _, err := w.svc.Delete(ctx, writer, "users", id, gone.DeleteOptions{Reason: "Spam account"}, gone.Preconditions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.svc.Restore(ctx, writer, "users", restored.ID, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	d := w.deliverer(webhook.Options{})
	step(t, d)
	if n := len(rcv.requests()); n != 0 {
		t.Fatalf("%d requests before anything expired; want none (the filter keeps expired and gone)", n)
	}
	w.clock.Add(10*time.Minute - time.Second)
	step(t, d)
	if n := len(rcv.requests()); n != 0 {
		t.Fatalf("%d requests a second before the expiry; want none", n)
	}
	w.clock.Add(time.Second)
	steps(t, d, func() bool { return len(rcv.requests()) == 1 })
	ev := decode(t, rcv.requests()[0].body)
	if ev.Type != "resource.expired" || ev.Data.ID != exp.ID || ev.Data.Cause != "time" || !ev.Data.At.Equal(now.Add(10*time.Minute)) {
		t.Errorf("at the expiry: %+v; want resource.expired of %s caused by time at %v", ev, exp.ID, now.Add(10*time.Minute))
	}
	w.clock.Add(time.Hour)
	steps(t, d, func() bool { return len(rcv.requests()) == 2 })
	step(t, d)
	reqs := rcv.requests()
	if len(reqs) != 2 {
		t.Fatalf("got %d requests after the restore window; want 2 (the restored id sends nothing)", len(reqs))
	}
	ev = decode(t, reqs[1].body)
	if ev.Type != "resource.gone" || ev.Data.ID != trash.ID || ev.Data.Reason != "Spam account" {
		t.Errorf("at the window's end: %+v; want resource.gone of %s, reason spam", ev, trash.ID)
	}
}

// TestOneDelivererAmongMany runs three deliverers over one database file
// (three processes' worth of stores): every change arrives once.
func TestOneDelivererAmongMany(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rcv := newReceiver(t)
	w.subscribe(t, &gone.Webhook{Name: "site", URL: rcv.URL})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 3 {
		s, err := sqlite.Open(ctx, w.path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		d := webhook.New(s, s, w.cfg, webhook.Options{Poll: 10 * time.Millisecond, Lease: 300 * time.Millisecond})
		wg.Add(1)
		go func() { defer wg.Done(); d.Run(ctx) }()
	}
	const n = 30
	for range n {
		if _, err := w.svc.Create(ctx, writer, "posts", json.RawMessage(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, func() bool { return len(rcv.requests()) >= n })
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show
	cancel()
	wg.Wait()
	seen := map[string]int{}
	for _, r := range rcv.requests() {
		seen[r.header.Get("webhook-id")]++
	}
	if len(seen) != n || len(rcv.requests()) != n {
		t.Errorf("receiver got %d requests with %d distinct ids; want %d, each once", len(rcv.requests()), len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("%s delivered %d times", id, c)
		}
	}
}

// TestIndexNow checks the request IndexNow's documentation describes
// (POST, JSON with host, key and urlList, UTF-8), sent for retired and
// moved URLs only.
func TestIndexNow(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rcv := newReceiver(t)
	rcv.status.Store(202) // IndexNow's "accepted, key validation pending"
	w.subscribe(t, &gone.Webhook{Name: "bing", Kind: gone.IndexNow, URL: rcv.URL + "/indexnow", Secret: "a1b2c3d4e5f6a7b8", Host: "www.example.com"})
	ctx := context.Background()
	acct, _ := w.svc.Create(ctx, writer, "accounts", json.RawMessage(`{}`))
	if _, err := w.svc.Delete(ctx, writer, "accounts", acct.ID, gone.DeleteOptions{}, gone.Preconditions{}); err != nil {
		t.Fatal(err) // concealed: never told to search engines
	}
	rec, _ := w.svc.Create(ctx, writer, "posts", json.RawMessage(`{}`)) // created: not sent
	if _, err := w.svc.Delete(ctx, writer, "posts", rec.ID, gone.DeleteOptions{}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	d := w.deliverer(webhook.Options{})
	steps(t, d, func() bool { return len(rcv.requests()) == 1 })
	step(t, d)
	reqs := rcv.requests()
	if len(reqs) != 1 {
		t.Fatalf("IndexNow got %d requests, want 1 (neither the create nor the concealed account is sent)", len(reqs))
	}
	r := reqs[0]
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q, want application/json; charset=utf-8", ct)
	}
	var body struct {
		Host    string   `json:"host"`
		Key     string   `json:"key"`
		URLList []string `json:"urlList"`
	}
	dec := json.NewDecoder(strings.NewReader(string(r.body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	want := "https://www.example.com/api/posts/" + rec.ID
	if body.Host != "www.example.com" || body.Key != "a1b2c3d4e5f6a7b8" || len(body.URLList) != 1 || body.URLList[0] != want {
		t.Errorf("IndexNow body = %+v; want host www.example.com, the key, and urlList [%s]", body, want)
	}
	log, _ := w.store.WebhookAttempts(ctx, "bing", 1)
	if len(log) != 1 || !log[0].Delivered || log[0].Status != 202 {
		t.Errorf("log = %+v; want one delivery answered 202", log)
	}
	bad := &gone.Webhook{Name: "bad", Kind: gone.IndexNow, URL: rcv.URL, Secret: "short", Host: "https://x"}
	err := bad.Check()
	var ge *gone.Error
	if !errors.As(err, &ge) || ge.Fields["secret"] == "" || ge.Fields["host"] == "" {
		t.Errorf("Check(bad IndexNow) = %v; want secret and host refused", err)
	}
}
