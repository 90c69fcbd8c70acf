package proxy_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonehttp/gone/edge"
	"github.com/gonehttp/gone/proxy"
)

// What a client writes about itself never reaches the upstream as a fact,
// unless it came through a front the operator trusts.
func TestForwardedHeaders(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	target, _ := url.Parse(up.URL)
	claims := map[string]string{
		"X-Real-IP":           "6.6.6.6",
		"True-Client-IP":      "6.6.6.6",
		"CF-Connecting-IP":    "6.6.6.6",
		"Fastly-Client-IP":    "6.6.6.6",
		"X-Client-IP":         "6.6.6.6",
		"X-Cluster-Client-IP": "6.6.6.6",
		"Forwarded":           "for=6.6.6.6;host=evil.example;proto=https",
		"X-Forwarded-For":     "6.6.6.6",
		"X-Forwarded-Host":    "evil.example",
		"X-Forwarded-Proto":   "https",
		"X-Forwarded-Port":    "443",
		"X-Original-URL":      "/admin",
		"X-Rewrite-URL":       "/admin",
		// What CGI, WSGI and PHP-FPM read as HTTP_X_REAL_IP too.
		"X_Real_IP":       "6.6.6.6",
		"X_Forwarded_For": "6.6.6.6",
	}
	for _, tc := range []struct {
		name    string
		trusted []netip.Prefix
		// want: header → the value the upstream must see ("" = absent).
		want map[string]string
	}{
		{"untrusted", nil, map[string]string{
			"X-Real-Ip": "", "True-Client-Ip": "", "Cf-Connecting-Ip": "", "Fastly-Client-Ip": "",
			"X-Client-Ip": "", "X-Cluster-Client-Ip": "", "Forwarded": "", "X-Forwarded-Port": "",
			"X-Original-Url": "", "X-Rewrite-Url": "", "X_real_ip": "", "X_forwarded_for": "",
			"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Host": "", "X-Forwarded-Proto": "http",
		}},
		{"trusted front", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, map[string]string{
			"X-Real-Ip": "6.6.6.6", "Cf-Connecting-Ip": "6.6.6.6", "Forwarded": claims["Forwarded"],
			"X-Forwarded-For": "6.6.6.6, 127.0.0.1", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
		}},
		{"a front elsewhere", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, map[string]string{
			"X-Real-Ip": "", "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "http",
		}},
	} {
		srv := newServer(t, proxy.New(proxy.Config{Upstream: target, Rules: noRules(t), TrustedProxies: tc.trusted}))
		raw(t, srv, "GET", "/page", claims)
		got := up.take()
		if len(got) != 1 {
			t.Fatalf("%s: upstream saw %d requests, want 1", tc.name, len(got))
		}
		for h, want := range tc.want {
			if v := strings.Join(got[0].Header.Values(h), ", "); v != want {
				t.Errorf("%s: upstream saw %s: %q, want %q", tc.name, h, v, want)
			}
		}
	}
}

// A body that stops arriving ends the request with 408 after the edge's
// idle timeout; one that arrives slowly but steadily goes through.
func TestSlowRequestBody(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	target, _ := url.Parse(up.URL)
	const idle = 300 * time.Millisecond
	srv := newServer(t, edge.Handler(proxy.New(proxy.Config{Upstream: target, Rules: noRules(t)}), edge.Config{BodyIdleTimeout: idle}))
	send := func(chunks int, pause time.Duration, declared int) (status int, took time.Duration) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		fmt.Fprintf(conn, "PUT /echo HTTP/1.1\r\nHost: site.example\r\nContent-Length: %d\r\n\r\n", declared)
		for i := 0; i < chunks; i++ {
			time.Sleep(pause)
			conn.Write([]byte("0123456789"))
		}
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("reading the answer: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, time.Since(start)
	}
	// Ten bytes of a hundred, then silence.
	if status, took := send(1, 0, 100); status != http.StatusRequestTimeout || took > 5*time.Second {
		t.Errorf("a body that stalls: status %d after %s, want 408 soon after %s", status, took, idle)
	}
	// A hundred bytes, ten every 100 ms: a second in all, more than the
	// idle timeout, but never idle that long.
	if status, took := send(10, idle/3, 100); status != http.StatusCreated {
		t.Errorf("a slow steady body: status %d after %s, want 201", status, took)
	}
}

// With MaxUpstream, a request past the cap is answered 503 at once rather
// than queued behind the slow ones.
func TestMaxUpstream(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	target, _ := url.Parse(up.URL)
	srv := newServer(t, proxy.New(proxy.Config{Upstream: target, Rules: noRules(t), MaxUpstream: 1}))
	first := make(chan error, 1)
	go func() {
		resp, err := http.Get(srv + "/stream") // held open until up.gate
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		first <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for seen := false; !seen; {
		for _, g := range up.take() {
			seen = seen || g.Path == "/stream"
		}
		if time.Now().After(deadline) {
			t.Fatal("GET /stream never reached the upstream")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for {
		resp, body := raw(t, srv, "GET", "/page", nil)
		if resp.StatusCode == http.StatusServiceUnavailable {
			if resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "busy") {
				t.Errorf("past the cap: 503 with Retry-After %q, body %s; want a Retry-After and the busy problem", resp.Header.Get("Retry-After"), body)
			}
			break
		}
		select {
		case err := <-first:
			t.Fatalf("GET /stream ended (%v) before the cap was seen", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /page while /stream holds the only slot: status %d, want 503", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
	up.gate <- struct{}{}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if resp, _ := raw(t, srv, "GET", "/page", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /page once the slot is free: status %d, want 200", resp.StatusCode)
	}
}

// Upgrades (WebSocket) reach the upstream only below AllowUpgrade; an
// upstream that switches protocols anywhere else is refused.
func TestUpgrade(t *testing.T) {
	t.Parallel()
	// An upstream that upgrades any request that asks, and below /rogue/
	// even one that does not, then echoes one line.
	up := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "" && !strings.HasPrefix(r.URL.Path, "/rogue/") {
			io.WriteString(w, "no upgrade asked\n")
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		brw.Flush()
		line, _ := brw.ReadString('\n')
		brw.WriteString("echo: " + line)
		brw.Flush()
	}))
	target, _ := url.Parse(up)
	srv := newServer(t, proxy.New(proxy.Config{Upstream: target, Rules: noRules(t), AllowUpgrade: []string{"/ws/"}}))
	exchange := func(path string, upgrade bool) (status int, echoed string) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		req := "GET " + path + " HTTP/1.1\r\nHost: site.example\r\n"
		if upgrade {
			req += "Connection: Upgrade\r\nUpgrade: echo\r\n"
		}
		io.WriteString(conn, req+"\r\n")
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		if resp.StatusCode != http.StatusSwitchingProtocols {
			resp.Body.Close()
			return resp.StatusCode, ""
		}
		io.WriteString(conn, "hello\n")
		line, _ := br.ReadString('\n')
		return resp.StatusCode, line
	}
	if status, echoed := exchange("/ws/chat", true); status != http.StatusSwitchingProtocols || echoed != "echo: hello\n" {
		t.Errorf("upgrade below /ws/: status %d, echoed %q; want 101 and the tunnel", status, echoed)
	}
	if status, _ := exchange("/page", true); status != http.StatusOK {
		t.Errorf("upgrade of /page: status %d, want the upstream's ordinary 200 (Upgrade not forwarded)", status)
	}
	if status, _ := exchange("/rogue/x", false); status != http.StatusBadGateway {
		t.Errorf("an upstream that switches protocols unasked at /rogue/x: status %d, want 502", status)
	}
}
