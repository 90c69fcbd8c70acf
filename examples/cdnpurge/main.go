// Command cdnpurge receives gone's webhooks and purges the changed URL
// from a CDN: an example of closing the loop around a deletion where the
// cache is not one gone purges itself (Varnish, nginx).
//
//	GONE_WEBHOOK_SECRET=whsec_… CDN=cloudflare CF_ZONE=… CF_TOKEN=… \
//	SITE=https://www.example.com go run ./examples/cdnpurge -addr 127.0.0.1:9000
//	gone webhooks create cdn http://127.0.0.1:9000/hook --secret "$GONE_WEBHOOK_SECRET"
//
// It checks every event's signature (Standard Webhooks: webhook-id,
// webhook-timestamp, webhook-signature) before acting, answers 2xx only
// once the CDN accepted the purge, so gone retries a purge that failed,
// and drops a message id it already handled (gone delivers at least once).
//
// CDN=cloudflare posts {"files":[url]} to Cloudflare's purge_cache API;
// CDN=fastly sends Fastly's single-URL purge (PURGE to the URL, with a
// Fastly-Key); CDN=cloudfront is left to the AWS SDK (an invalidation
// of the path), which this example does not import.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gonehttp/gone/webhook"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "listen address")
	flag.Parse()
	p, err := newPurger(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe(*addr, receiver(os.Getenv("GONE_WEBHOOK_SECRET"), p, time.Now)))
}

// purger purges one absolute URL from the CDN.
type purger func(ctx context.Context, url string) error

// newPurger builds the purge call of the CDN the environment names. The
// API base URLs may be overridden (CF_API, FASTLY_API), which the test
// does to stand a local server in for the CDN.
func newPurger(getenv func(string) string) (purger, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	switch getenv("CDN") {
	case "cloudflare":
		api := or(getenv("CF_API"), "https://api.cloudflare.com/client/v4")
		zone, token := getenv("CF_ZONE"), getenv("CF_TOKEN")
		return func(ctx context.Context, url string) error {
			body, _ := json.Marshal(map[string][]string{"files": {url}})
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, api+"/zones/"+zone+"/purge_cache", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			return call(client, req)
		}, nil
	case "fastly":
		key := getenv("FASTLY_KEY")
		return func(ctx context.Context, url string) error {
			if api := getenv("FASTLY_API"); api != "" {
				url = api + strings.TrimPrefix(url, getenv("SITE"))
			}
			req, _ := http.NewRequestWithContext(ctx, "PURGE", url, nil)
			req.Header.Set("Fastly-Key", key)
			return call(client, req)
		}, nil
	}
	return nil, fmt.Errorf("CDN must be cloudflare or fastly, not %q", getenv("CDN"))
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func call(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL, resp.StatusCode, b)
	}
	return nil
}

// receiver verifies each event and purges its path below SITE.
func receiver(secret string, purge purger, now func() time.Time) http.Handler {
	site := strings.TrimSuffix(os.Getenv("SITE"), "/")
	var mu sync.Mutex
	done := map[string]bool{} // a real receiver would bound this, or keep it in its database
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		id := r.Header.Get("webhook-id")
		if err != nil || !webhook.Verify(secret, id, r.Header.Get("webhook-timestamp"), body, r.Header.Get("webhook-signature"), now(), 5*time.Minute) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		seen := done[id]
		mu.Unlock()
		if seen {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		var ev webhook.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		if err := purge(r.Context(), site+ev.Data.Path); err != nil {
			// Not acknowledged: gone tries again later.
			log.Printf("purge %s: %v", ev.Data.Path, err)
			http.Error(w, "purge failed", http.StatusBadGateway)
			return
		}
		mu.Lock()
		done[id] = true
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
}
