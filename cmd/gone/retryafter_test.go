package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// serve --max-retry-after caps the Retry-After of a 503; the body's
// availableAt keeps the exact end.
func TestServeMaxRetryAfter(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _ := serveInProcess(t, ctx, "--max-retry-after", "90s")
	req, _ := http.NewRequest("PATCH", "http://"+addr+"/api/users/42/lifecycle", strings.NewReader(`{"unavailableUntil":"2030-01-01T00:00:00Z"}`))
	req.Header.Set("Authorization", "Bearer ops-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("PATCH lifecycle: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Get("http://" + addr + "/api/users/42")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p struct {
		AvailableAt string `json:"availableAt"`
	}
	json.NewDecoder(resp.Body).Decode(&p)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "90" || p.AvailableAt != "2030-01-01T00:00:00Z" {
		t.Errorf("GET a withheld resource: %d, Retry-After %q, availableAt %q; want 503, 90, 2030-01-01T00:00:00Z",
			resp.StatusCode, resp.Header.Get("Retry-After"), p.AvailableAt)
	}
}

// A GONE_MAX_RETRY_AFTER that is not a duration is a usage error, not a
// silent default.
func TestServeMaxRetryAfterEnv(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", t.TempDir() + "/x.db"},
		func(k string) string {
			if k == "GONE_MAX_RETRY_AFTER" {
				return "an hour"
			}
			return ""
		}, nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "GONE_MAX_RETRY_AFTER") {
		t.Fatalf("serve with GONE_MAX_RETRY_AFTER=\"an hour\": %v, want a usage error naming it", err)
	}
}
