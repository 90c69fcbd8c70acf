package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestInboxCommands runs gone serve in-process, asks it for unknown
// routes, and acts on its 404 inbox with gone inbox: list (as a table, most
// hits first), redirect to gone's suggestion, ignore a pattern, and the
// refusals.
func TestInboxCommands(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addr, done := serveInProcess(t, ctx, "--inbox-flush", "1s")
	defer func() { cancel(); <-done }()
	base := "http://" + addr
	ask := func(path, ua string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("User-Agent", ua)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Fatalf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
	const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
	ask("/api/usres/123", firefox)
	ask("/api/usres/123", firefox)
	ask("/api/usres/123", "Googlebot/2.1 (+http://www.google.com/bot.html)")
	ask("/wp-login.php", "python-requests/2.31")

	s := &cliServer{t: t, url: base}
	inbox := func(args ...string) result {
		return s.goneEnv(map[string]string{"GONE_URL": base, "GONE_TOKEN": "ops-token", "GONE_ADMIN_PREFIX": "/"}, "", append([]string{"inbox"}, args...)...)
	}
	// The counts reach the store within the flush interval.
	var list result
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		list = inbox("list", "--output", "table")
		if strings.Contains(list.stdout, "/wp-login.php") {
			break
		}
	}
	list.want(t, "inbox list", 0, "HITS", "/api/usres/123", "/api/users/123", "/wp-login.php")
	lines := strings.Split(strings.TrimSpace(list.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), "3 1 ") {
		t.Errorf("inbox list:\n%s\nwant /api/usres/123 first with 3 hits, 1 by a crawler", list.stdout)
	}

	inbox("redirect", "/api/usres/123", "--output", "table").want(t, "inbox redirect", 0, "308", "to /api/users/123")
	inbox("ignore", "*.php", "--output", "table").want(t, "inbox ignore", 0, "ignoring *.php; 1 entries left the inbox")
	inbox("ignore", "wp/*.php").want(t, "inbox ignore (bad pattern)", 1, "400", "must start with")
	inbox("gone", "/never-asked").want(t, "inbox gone (no entry)", 1, "404")
	inbox("redirect").want(t, "inbox redirect (no path)", 2, "needs PATH")
	inbox("list", "--output", "json").want(t, "inbox list (empty)", 0, `"entries": []`)
	s.goneEnv(map[string]string{"GONE_URL": base, "GONE_ADMIN_PREFIX": "/"}, "", "inbox", "list").want(t, "inbox list without a token", 1, "401")
}
