package console_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/internal/demotest"
	"github.com/gonehttp/gone/webhook"
)

// TestBrowserWebhooks: from the console an admin creates a subscription
// to a real receiver and copies its secret; a change made through the API
// reaches the receiver signed with that secret, and its delivery appears
// in the page's delivery log; pausing holds the next change in the queue,
// resuming sends it; delete removes the subscription. Every step is in
// the audit log, without the secret. Then the pages again in Spanish.
func TestBrowserWebhooks(t *testing.T) {
	w := demotest.New(t)
	ctx := context.Background()
	srv := httptest.NewServer(w.Handler(nil))
	t.Cleanup(srv.Close)

	var (
		mu     sync.Mutex
		got    []webhook.Event
		secret string
		bad    []string
	)
	rcv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if !webhook.Verify(secret, r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), b, r.Header.Get("webhook-signature"), time.Now(), 5*time.Minute) {
			bad = append(bad, string(b))
			rw.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev webhook.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			bad = append(bad, string(b))
		}
		got = append(got, ev)
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rcv.Close)
	received := func() []webhook.Event { mu.Lock(); defer mu.Unlock(); return append([]webhook.Event(nil), got...) }

	dctx, cancel := context.WithCancel(ctx)
	d := webhook.New(w.Store, w.Store, w.Service.Config(), webhook.Options{APIPrefix: "/api", Poll: 20 * time.Millisecond, Lease: 2 * time.Second})
	done := make(chan struct{})
	go func() { defer close(done); d.Run(dctx) }()
	t.Cleanup(func() { cancel(); <-done })

	api := func(method, path, body string) int {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+demotest.AdminToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	b := newBrowser(t, srv.URL)
	b.signIn(demotest.AdminToken)
	b.waitFor("admin role", `document.querySelector('#role')?.textContent === 'admin'`)
	b.open("#/webhooks")
	b.waitFor("no subscriptions", `!!document.querySelector('#hooks-empty')`)
	b.checkPage("webhooks, empty")

	// Create: users only, gone and created changes.
	b.do("fill the form",
		chromedp.SendKeys(chromedp.ID("hook-name"), "site"),
		chromedp.SendKeys(chromedp.ID("hook-url"), rcv.URL+"/hooks"),
		chromedp.Click(chromedp.ID("hook-coll-users")),
		chromedp.Click(chromedp.ID("hook-type-created")),
		chromedp.Click(chromedp.ID("hook-type-gone")),
		chromedp.SendKeys(chromedp.ID("hook-reason"), "CRM sync"),
		submit("hook-create"))
	b.waitFor("the secret, once", `document.querySelector('#hook-secret')?.textContent.startsWith('whsec_') && document.querySelectorAll('#webhooks tbody tr').length === 1`)
	mu.Lock()
	secret = b.text("#hook-secret")
	mu.Unlock()
	row := b.text(`#webhooks tr[data-name="site"]`)
	for _, want := range []string{"webhook (signed JSON)", rcv.URL + "/hooks", "users", "created, gone (410)", "active", "none yet"} {
		if !strings.Contains(row, want) {
			t.Errorf("the subscription's row %q lacks %q", row, want)
		}
	}
	b.checkPage("webhooks, one subscription")
	b.shot("webhooks")

	// A change through the API reaches the receiver and the page's log.
	if st := api("PUT", "/api/users/ada", `{"name":"Ada"}`); st != 201 {
		t.Fatalf("PUT /api/users/ada = %d, want 201", st)
	}
	b.do("open the subscription", chromedp.Click(chromedp.CSS(`#webhooks a[href="#/webhooks/site"]`)))
	b.waitFor("the delivery in the log", `document.querySelectorAll('#deliveries tbody tr[data-delivered="true"]').length === 1`)
	if evs := received(); len(evs) != 1 || evs[0].Type != "resource.created" || evs[0].Data.ID != "ada" {
		t.Errorf("receiver got %+v; want the creation of users/ada", evs)
	}
	if log := b.text("#deliveries tbody"); !strings.Contains(log, "HTTP 204") || !strings.Contains(log, "delivered") {
		t.Errorf("the delivery log says %q; want a delivery with HTTP 204", log)
	}
	b.checkPage("one subscription")
	b.shot("webhook")

	// Pause: the next change waits in the queue; resume sends it.
	b.do("pause", chromedp.SendKeys(chromedp.ID("hook-why"), "receiver maintenance"), chromedp.Click(chromedp.ID("hook-toggle")))
	b.waitFor("paused", `document.querySelector('#hook-state')?.textContent.includes('paused by admin: receiver maintenance') && document.querySelector('#hook-toggle').textContent === 'Resume'`)
	if st := api("DELETE", "/api/users/ada?permanent=true&reason=Account+closed", ""); st/100 != 2 {
		t.Fatalf("DELETE /api/users/ada = %d, want 2xx", st)
	}
	b.waitFor("one queued", `document.querySelector('#hook-queued')?.textContent === '1'`)
	if n := len(received()); n != 1 {
		t.Errorf("receiver got %d events while paused, want 1 (the one before)", n)
	}
	b.do("resume", chromedp.Click(chromedp.ID("hook-toggle")))
	b.waitFor("sent", `document.querySelector('#hook-queued')?.textContent === '0' && document.querySelectorAll('#deliveries tbody tr[data-delivered="true"]').length === 2`)
	if evs := received(); len(evs) != 2 || evs[1].Type != "resource.gone" {
		t.Errorf("receiver got %+v; want the creation, then the 410", evs)
	}

	// Spanish: the same page, in words of the other catalog.
	b.do("switch", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#lang'); s.value = 'es'; s.dispatchEvent(new Event('change')); })()`))
	b.waitFor("Spanish page", `document.documentElement.lang === 'es' && document.querySelector('h1')?.textContent === 'Suscripción site' && document.querySelector('#hook-toggle').textContent === 'Pausar'`)
	if log := b.text("#hook-log"); !strings.Contains(log, "entregado") {
		t.Errorf("the Spanish delivery log says %q; want entregado", log)
	}
	b.checkPage("one subscription, in Spanish")
	b.open("#/webhooks")
	b.waitFor("Spanish list", `document.querySelector('#webhooks caption')?.textContent === 'Suscripciones, por nombre' && document.querySelector('#webhooks tr[data-name="site"] td.state').textContent.includes('activa')`)
	b.checkPage("webhooks, in Spanish")
	b.do("switch back", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#lang'); s.value = 'en'; s.dispatchEvent(new Event('change')); })()`))
	b.waitFor("English again", `document.documentElement.lang === 'en' && !!document.querySelector('#webhooks')`)

	// Delete asks twice, then the list is empty.
	b.open("#/webhooks/site")
	b.waitFor("the subscription", `!!document.querySelector('#hook-delete')`)
	b.do("delete", chromedp.Click(chromedp.ID("hook-delete")))
	b.waitFor("asked", `document.querySelector('#hook-delete').textContent.includes('Delete site')`)
	b.do("confirm", chromedp.Click(chromedp.ID("hook-delete")))
	b.waitFor("gone from the list", `document.body.getAttribute('data-rendered') === '#/webhooks' && !!document.querySelector('#hooks-empty')`)
	if _, err := w.Store.Webhook(ctx, "site"); gone.ErrorCode(err) != gone.ENOTFOUND {
		t.Errorf("after delete, Webhook(site) error = %v, want ENOTFOUND", err)
	}

	// The audit log has each step, by admin, and never the secret.
	evs, err := w.Store.Audit(ctx, gone.AuditQuery{Collection: gone.WebhooksCollection, ID: "site"})
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action+"/"+e.Actor)
		if strings.Contains(e.Detail+e.Reason, secret) {
			t.Errorf("audit event %+v holds the secret", e)
		}
	}
	want := "webhook_create/admin webhook_pause/admin webhook_resume/admin webhook_delete/admin"
	if err != nil || strings.Join(actions, " ") != want || evs[0].Reason != "CRM sync" {
		t.Errorf("audit of webhooks/site = %v (%+v), %v; want %s, the first with reason CRM sync", actions, evs, err, want)
	}
	mu.Lock()
	if len(bad) > 0 {
		t.Errorf("the receiver refused %d requests whose signature did not verify: %q", len(bad), bad)
	}
	mu.Unlock()
	b.checkPage("webhooks after delete")
}
