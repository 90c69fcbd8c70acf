package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/webhook"
)

// TestReceiverPurgesCloudflare signs an event as gone does, sends it to
// the receiver, and checks the purge request a stand-in for Cloudflare's
// API gets; a forged signature purges nothing, and a purge the CDN
// refused is not acknowledged.
func TestReceiverPurgesCloudflare(t *testing.T) {
	var mu sync.Mutex
	var purged []string
	fail := false
	cf := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Files []string }
		json.NewDecoder(r.Body).Decode(&body)
		if r.URL.Path != "/zones/z1/purge_cache" || r.Header.Get("Authorization") != "Bearer t1" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if fail {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		purged = append(purged, body.Files...)
	}))
	defer cf.Close()
	env := map[string]string{"CDN": "cloudflare", "CF_API": cf.URL, "CF_ZONE": "z1", "CF_TOKEN": "t1"}
	p, err := newPurger(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SITE", "https://www.example.com")
	secret := gone.NewWebhookSecret()
	srv := httptest.NewServer(receiver(secret, p, time.Now))
	defer srv.Close()

	send := func(id, sig string, path string) int {
		body, _ := json.Marshal(webhook.Event{Type: "resource.gone", Timestamp: time.Now(), Data: webhook.EventData{Path: path}})
		now := time.Now()
		if sig == "" {
			sig = webhook.Sign(secret, id, now, body)
		}
		req, _ := http.NewRequestWithContext(context.Background(), "POST", srv.URL, bytes.NewReader(body))
		req.Header.Set("webhook-id", id)
		req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
		req.Header.Set("webhook-signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := send("msg_1", "v1,Zm9yZ2Vk", "/api/users/7"); got != http.StatusUnauthorized {
		t.Errorf("forged signature: %d, want 401", got)
	}
	if got := send("msg_2", "", "/api/users/7"); got != http.StatusNoContent {
		t.Errorf("signed event: %d, want 204", got)
	}
	if got := send("msg_2", "", "/api/users/7"); got != http.StatusNoContent {
		t.Errorf("the same message again: %d, want 204", got)
	}
	mu.Lock()
	fail = true
	mu.Unlock()
	if got := send("msg_3", "", "/api/users/8"); got != http.StatusBadGateway {
		t.Errorf("purge refused by the CDN: %d, want 502 (so gone retries)", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(purged) != 1 || purged[0] != "https://www.example.com/api/users/7" {
		t.Errorf("purged %v, want [https://www.example.com/api/users/7] once", purged)
	}
}
