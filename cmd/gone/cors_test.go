package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// GONE_CORS_ORIGINS reaches the server, and a malformed one stops it at
// start with a usage error rather than silently allowing nothing.
func TestServeCORSFromEnv(t *testing.T) {
	getenv := func(v string) func(string) string {
		return func(k string) string {
			switch k {
			case "GONE_CORS_ORIGINS":
				return v
			case "GONE_ADMIN_TOKEN":
				return "ops-token"
			}
			return ""
		}
	}
	db := filepath.Join(t.TempDir(), "gone.db")
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--demo"}, getenv("https://app.example.com/"), nil, io.Discard, io.Discard)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), "GONE_CORS_ORIGINS") {
		t.Fatalf("serve with a bad GONE_CORS_ORIGINS = %v, want a usage error naming it", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "g.db"), "--demo"},
			getenv("https://app.example.com"), nil, pw, io.Discard)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	buf := make([]byte, 4096)
	var out string
	for !strings.Contains(out, "listening on http://") {
		n, err := pr.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		out += string(buf[:n])
	}
	go io.Copy(io.Discard, pr)
	addr := strings.Fields(out[strings.Index(out, "listening on http://")+len("listening on http://"):])[0]
	req, _ := http.NewRequest("OPTIONS", "http://"+addr+"/api/users/42", nil)
	req.Header.Set("Origin", "https://app.example.com")
	req.Header.Set("Access-Control-Request-Method", "GET")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("preflight: %d, Access-Control-Allow-Origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}
