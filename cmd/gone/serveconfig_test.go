package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Without --config and without --demo, serve refuses and shows a minimal
// config; that config, copied from the message, starts a server that knows
// its collection and none of the demo's.
func TestServeNeedsConfig(t *testing.T) {
	dir := t.TempDir()
	s := &cliServer{t: t}
	r := s.goneEnv(map[string]string{}, "", "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "gone.db"))
	r.want(t, "serve without config", exitUsage, "--config FILE", "--demo", "examples/production/gone.json")
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("serve without a config left %v behind", entries)
	}
	var minimal string
	for _, line := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "{") {
			minimal = strings.TrimSpace(line)
		}
	}
	if minimal == "" {
		t.Fatalf("serve's refusal shows no config:\n%s", r.stderr)
	}
	cfg := filepath.Join(dir, "gone.json")
	os.WriteFile(cfg, []byte(minimal), 0o644)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := serveWith(t, ctx, "--config", cfg, "--db", filepath.Join(dir, "gone.db"))
	for path, want := range map[string]string{
		"/api/users/1":                 "Resource with ID 1 does not exist",
		"/api/promotions/current":      "The requested endpoint does not exist",
		"/api/accounts/acct-7f3a9c2e1": "The requested endpoint does not exist",
	} {
		status, body := getMessage(t, "http://"+addr+path)
		if status != 404 || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d %s, want 404 with %q (the config's world, not the demo's)", path, status, body, want)
		}
	}
}

// examples/production/gone.json, comments and all, is a config serve
// starts with, and each of its collections answers as it says.
func TestProductionConfigExample(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := serveWith(t, ctx, "--config", "../../examples/production/gone.json", "--db", filepath.Join(t.TempDir(), "gone.db"))
	cases := []struct {
		path   string
		status int
		want   string
	}{
		{"/api/articles/a1", 404, "Article a1 does not exist"},
		{"/api/accounts/x", 401, ""},
		{"/api/offers/o1", 404, ""},
		{"/api/users/42", 404, "The requested endpoint does not exist"},
	}
	for _, tc := range cases {
		status, body := getMessage(t, "http://"+addr+tc.path)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s: %d %s, want %d with %q", tc.path, status, body, tc.status, tc.want)
		}
	}
}

// serveWith runs serve in-process with args and returns its HOST:PORT.
func serveWith(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, nil, pw, io.Discard)
		pw.Close()
		errc <- err
	}()
	t.Cleanup(func() {
		if err := <-errc; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	if a := listenAddr(pr); a != "" {
		return a
	}
	t.Fatal("serve never said where it listens")
	return ""
}

func getMessage(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var p map[string]any
	if json.Unmarshal(b, &p) == nil && p["message"] != nil {
		return resp.StatusCode, p["message"].(string)
	}
	return resp.StatusCode, string(b)
}
