package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// proxyInProcess runs `gone proxy` in this process over a temp SQLite file
// in front of a real upstream, and returns its URL.
func proxyInProcess(t *testing.T, extra ...string) string {
	t.Helper()
	return proxyWithEnv(t, nil, extra...)
}

// proxyWithEnv is proxyInProcess with more environment variables.
func proxyWithEnv(t *testing.T, env map[string]string, extra ...string) string {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "upstream %s\n", r.URL.RequestURI())
	}))
	t.Cleanup(up.Close)
	return proxyFor(t, up.URL, env, extra...)
}

// proxyFor runs `gone proxy` in this process in front of upstream and
// returns its URL; it stops with the test.
func proxyFor(t *testing.T, upstream string, env map[string]string, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db := filepath.Join(t.TempDir(), "gone.db")
	getenv := func(k string) string {
		if k == "GONE_ADMIN_TOKEN" {
			return cliAdminToken
		}
		return env[k]
	}
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	args := append([]string{"proxy", "--addr", "127.0.0.1:0", "--db", db, "--upstream", upstream}, extra...)
	go func() {
		err := run(ctx, args, getenv, nil, pw, io.Discard)
		pw.Close()
		errc <- err
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("proxy: %v", err)
		}
	})
	if a := listenAddr(pr); a != "" {
		return "http://" + a
	}
	t.Fatalf("proxy never said where it listens; run returned %v", <-errc)
	return ""
}

func TestProxyAndRulesCommands(t *testing.T) {
	nginx, _ := filepath.Abs("../../rulefile/testdata/gone.nginx.conf")
	url := proxyInProcess(t, "--rules", nginx)
	s := &cliServer{t: t, url: url}

	status := func(path string) int {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("/blog/2019/hello"); got != 410 {
		t.Errorf("GET /blog/2019/hello after --rules: %d, want 410", got)
	}
	if got := status("/blog/2020/hello"); got != 200 {
		t.Errorf("GET /blog/2020/hello: %d, want the upstream's 200", got)
	}

	s.gone("", "rules", "add", "/promo/*", "gone", "--reason", "Promotion ended", "--output", "table").
		want(t, "rules add", 0, "/promo/*", "410")
	if got := status("/promo/summer"); got != 410 {
		t.Errorf("GET /promo/summer after rules add: %d, want 410", got)
	}
	s.gone("", "rules", "list", "--output", "table").want(t, "rules list", 0, "/blog/2019/*", "/promo/*", "/products/old-name")
	s.gone("", "rules", "explain", "/blog/2019/../2019/x", "--output", "table").
		want(t, "rules explain", 0, "/blog/2019/* (longest prefix)", "=> 410 Gone")
	s.gone("", "rules", "explain", "/elsewhere", "--output", "table").want(t, "rules explain", 0, "passed to the upstream")
	s.gone("", "rules", "rm", "/promo/*").want(t, "rules rm of a 410", 1, "cannot go back to the upstream")
	s.gone("", "rules", "add", "/maint/*", "unavailable", "--at", "2099-01-01T00:00:00Z").want(t, "rules add unavailable", 0)
	s.gone("", "rules", "rm", "/maint/*").want(t, "rules rm", 0)
	if got := status("/maint/x"); got != 200 {
		t.Errorf("GET /maint/x after rules rm: %d, want 200", got)
	}

	// An import with a refused line imports nothing.
	bad := filepath.Join(t.TempDir(), "gone.csv")
	os.WriteFile(bad, []byte("path,status,reason,alternative,at\n/a-new-one,410,,,\n/bad%2Fslash,410,,,\n"), 0o644)
	s.gone("", "rules", "import", bad).want(t, "rules import with a bad line", 1, "gone.csv:3:", "encoded slash", "nothing imported")
	if got := status("/a-new-one"); got != 200 {
		t.Errorf("GET /a-new-one after a refused import: %d, want 200 (nothing imported)", got)
	}
	s.gone("", "rules", "import", bad, "--skip-refused", "--output", "table").want(t, "rules import --skip-refused", 1, "1 created")
	if got := status("/a-new-one"); got != 410 {
		t.Errorf("GET /a-new-one after --skip-refused: %d, want 410", got)
	}
	// Idempotent.
	s.gone("", "rules", "import", nginx, "--output", "table").want(t, "rules import again", 0, "0 created, 0 changed, 6 unchanged")
	s.gone("", "rules").want(t, "rules without a command", 2)
	s.gone("", "rules", "add", "/x").want(t, "rules add without an action", 2)
}

// The proxy's edge flags reach the proxy through gone's whole middleware
// (the read deadline of --body-idle-timeout through every wrapper of the
// response writer).
func TestProxyEdgeFlags(t *testing.T) {
	url := proxyInProcess(t, "--body-idle-timeout", "300ms", "--upstream-max-conns", "4",
		"--public-host", "site.example", "--trusted-proxy", "10.0.0.0/8", "--allow-upgrade", "/ws/")
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	io.WriteString(conn, "PUT /upload HTTP/1.1\r\nHost: site.example\r\nContent-Length: 100\r\n\r\n0123456789")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("a stalled body through gone proxy: %v, want a 408 within the idle timeout", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("a stalled body through gone proxy: status %d after %s, want 408", resp.StatusCode, time.Since(start))
	}

	for _, args := range [][]string{
		{"--trusted-proxy", "not-an-address"},
		{"--upstream-max-conns", "-1"},
		{"--allow-upgrade", "ws"},
	} {
		all := append([]string{"proxy", "--upstream", "http://127.0.0.1:1", "--db", filepath.Join(t.TempDir(), "g.db")}, args...)
		if err := run(context.Background(), all, func(string) string { return "" }, nil, io.Discard, io.Discard); exitCodeOf(err) != 2 {
			t.Errorf("gone %v: %v (exit %d), want a usage error (exit 2)", all, err, exitCodeOf(err))
		}
	}
}
