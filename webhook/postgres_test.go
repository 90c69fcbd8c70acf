package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/config"
	"github.com/gonehttp/gone/internal/pgtest"
	"github.com/gonehttp/gone/postgres"
	"github.com/gonehttp/gone/webhook"
)

// TestOneDelivererOverPostgres runs three instances over one PostgreSQL
// database, each with its service and its deliverer, and writes through
// all three at once: every change arrives, once, though writers commit
// concurrently and only one instance delivers.
func TestOneDelivererOverPostgres(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Schema(t)
	cfg, _, err := config.Parse(strings.NewReader(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	rcv := newReceiver(t)
	ctx, cancel := context.WithCancel(context.Background())
	var runs sync.WaitGroup
	var svcs []*gone.Service
	for i := range 3 {
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if i == 0 {
			h := &gone.Webhook{Name: "site", URL: rcv.URL, CreatedAt: time.Now()}
			if err := h.Check(); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateWebhook(ctx, h, gone.WebhookAudit(nil, h, "admin", "", h.CreatedAt)); err != nil {
				t.Fatal(err)
			}
		}
		svcs = append(svcs, gone.NewService(s, cfg))
		d := webhook.New(s, s, cfg, webhook.Options{Poll: 10 * time.Millisecond, Lease: 2 * time.Second,
			Holder: fmt.Sprintf("instance-%d", i)})
		runs.Add(1)
		go func() { defer runs.Done(); d.Run(ctx) }()
	}
	const writers, each = 6, 10
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := svcs[w%len(svcs)]
			for i := range each {
				if _, _, err := svc.Put(ctx, writer, "posts", fmt.Sprintf("w%d-%d", w, i), json.RawMessage(`{}`), gone.Preconditions{}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	waitFor(t, func() bool { return len(rcv.requests()) >= writers*each })
	time.Sleep(200 * time.Millisecond) // room for a duplicate to show
	cancel()
	runs.Wait()
	ids := map[string]int{}
	for _, r := range rcv.requests() {
		ids[decode(t, r.body).Data.ID]++
	}
	if len(ids) != writers*each {
		t.Errorf("received %d distinct ids, want %d", len(ids), writers*each)
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("%s delivered %d times, want once", id, n)
		}
	}
}
