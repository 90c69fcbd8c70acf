package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestWebhooksCLI(t *testing.T) {
	t.Parallel()
	s := newCLIServer(t)
	r := s.gone("", "webhooks", "create", "site", "https://example.com/hooks", "--collection", "users", "--type", "gone,moved")
	r.want(t, "webhooks create", 0, `"secret": "whsec_`, `"collections": [`, "Store the secret now")
	s.gone("", "webhooks", "create", "cache", "http://127.0.0.1:6081", "--kind", "varnish", "--host", "www.example.com").
		want(t, "webhooks create varnish", 0, `"kind": "varnish"`)
	s.gone("", "webhooks", "create", "bad", "ftp://x").want(t, "webhooks create with a bad URL", 1, "url")
	s.gone("", "webhooks", "create", "site").want(t, "webhooks create without a URL", 2, "two arguments")
	s.gone("", "webhooks", "list", "--output", "table").want(t, "webhooks list", 0, "NAME", "cache", "varnish", "site", "active")
	s.gone("", "webhooks", "pause", "site").want(t, "webhooks pause", 0, `"pausedReason": "paused by admin"`)
	s.gone("", "webhooks", "list", "--output", "table").want(t, "webhooks list after pause", 0, "paused")
	s.gone("", "webhooks", "resume", "site").want(t, "webhooks resume", 0, `"failures": 0`)
	s.gone("", "webhooks", "show", "site").want(t, "webhooks show", 0, `"queued": 0`)
	s.gone("", "webhooks", "delete", "site").want(t, "webhooks delete", 0, "deleted subscription site")
	s.gone("", "webhooks", "show", "site").want(t, "webhooks show after delete", 3)
	s.gone("", "webhooks", "frobnicate").want(t, "unknown subcommand", 2, "unknown webhooks command")
}

// TestKillNineLosesNoWebhook kills a real `gone serve` process with
// SIGKILL while it delivers webhooks for writes in flight, starts it
// again over the same database, and checks that every acknowledged
// create reached the receiver (at least once, some perhaps twice).
func TestKillNineLosesNoWebhook(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	var mu sync.Mutex
	got := map[string]int{} // resource id → created events received
	received := 0
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev struct {
			Type string `json:"type"`
			Data struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if json.Unmarshal(b, &ev) != nil || r.Header.Get("webhook-signature") == "" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		// Slow enough that the kill finds deliveries queued and in flight.
		time.Sleep(3 * time.Millisecond)
		mu.Lock()
		if ev.Type == "resource.created" {
			got[ev.Data.ID]++
		}
		received++
		mu.Unlock()
	}))
	defer rcv.Close()

	db := filepath.Join(t.TempDir(), "hooks.db")
	cmd, base := startServe(t, db)
	client := &http.Client{Timeout: 5 * time.Second}
	do := func(method, url, body string) (int, error) {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer crash-token")
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	if code, err := do("POST", base+"/webhooks", `{"name":"site","url":"`+rcv.URL+`","collections":["promotions"]}`); err != nil || code != 201 {
		t.Fatalf("POST /webhooks = %d, %v; want 201", code, err)
	}
	var acked []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("w%d-%d", w, i)
				code, err := do("PUT", base+"/api/promotions/"+id, `{"n":1}`)
				if err != nil {
					return // killed
				}
				if code == http.StatusCreated {
					mu.Lock()
					acked = append(acked, id)
					mu.Unlock()
				}
			}
		}()
	}
	// Kill once some events were delivered and more are queued.
	deadline := time.Now().Add(time.Minute)
	for {
		mu.Lock()
		n, a := received, len(acked)
		mu.Unlock()
		if n >= 30 && a > n+20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a minute: %d delivered, %d acknowledged; want a backlog to kill into", n, a)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	cmd.Wait()
	mu.Lock()
	atKill := received
	mu.Unlock()

	startServe(t, db)
	deadline = time.Now().Add(time.Minute)
	for {
		mu.Lock()
		missing := 0
		for _, id := range acked {
			if got[id] == 0 {
				missing++
			}
		}
		mu.Unlock()
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged creates never reached the receiver after kill -9 and a restart", missing, len(acked))
		}
		time.Sleep(10 * time.Millisecond)
	}
	dups := 0
	for _, n := range got {
		dups += n - 1
	}
	t.Logf("%d acknowledged creates; %d delivered before kill -9; all delivered after restart, %d twice", len(acked), atKill, dups)
}
