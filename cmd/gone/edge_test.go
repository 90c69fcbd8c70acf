package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// gone serve and gone proxy are one edge: every request, whichever door
// and whatever answers it (the API, a rule, the upstream, the edge's own
// refusal), carries a request id and is counted once, by the route that
// served it.
func TestServeAndProxyShareTheEdge(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serve, _ := serveInProcess(t, ctx, "--metrics-public")
	proxyMetrics := freeAddr(t)
	prox := proxyInProcess(t, "--metrics-addr", proxyMetrics)

	id := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, u := range []string{
		"http://" + serve + "/api/users/42",
		"http://" + serve + "/api/nope/1",
		prox + "/some/page",
		prox + "/_gone/api",
	} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if got := resp.Header.Values("X-Request-Id"); len(got) != 1 || !id.MatchString(got[0]) {
			t.Errorf("GET %s: X-Request-Id %q, want one id of 16 hex digits", u, got)
		}
	}
	for _, addr := range []string{serve, strings.TrimPrefix(prox, "http://")} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(conn, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
		head, _ := io.ReadAll(conn)
		conn.Close()
		if !strings.HasPrefix(string(head), "HTTP/1.1 405") || !strings.Contains(string(head), "\r\nX-Request-Id: ") {
			t.Errorf("CONNECT to %s: got %.80q, want a 405 with a request id", addr, head)
		}
	}

	for _, c := range []struct {
		door, url string
		want      []string
	}{
		{"serve", "http://" + serve + "/metrics", []string{
			`gone_http_requests_total{route="GET /api/{collection}/{id}",status="200"} 1`,
			`gone_http_requests_total{route="GET /api/{collection}/{id}",status="404"} 1`,
			`gone_http_requests_total{route="none",status="405"} 1`,
		}},
		{"proxy", "http://" + proxyMetrics + "/metrics", []string{
			`gone_http_requests_total{route="proxy",status="200"} 1`,
			`gone_http_requests_total{route="GET /api",status="200"} 1`,
			`gone_http_requests_total{route="none",status="405"} 1`,
		}},
	} {
		_, body := getMetrics(t, c.url, "")
		for _, line := range c.want {
			if !strings.Contains(body, line+"\n") {
				t.Errorf("%s's metrics lack %s (each request counted once, by its route):\n%s", c.door, line, grepLines(body, "gone_http_requests_total"))
			}
		}
	}
}

// grepLines is the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A request body that stops arriving is one answer on every door: 408, a
// problem whose type is documented there, the connection closed, nothing
// written. (serve once said 400, "the body could not be read".)
func TestStalledBodyIsA408OnEveryDoor(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serve, _ := serveInProcess(t, ctx, "--body-idle-timeout", "300ms")
	prox := strings.TrimPrefix(proxyInProcess(t, "--body-idle-timeout", "300ms"), "http://")
	const (
		lengthBody  = "Content-Length: 100\r\n\r\n{\"name\":"
		chunkedBody = "Transfer-Encoding: chunked\r\n\r\n8\r\n{\"name\":\r\n"
		promised    = "Content-Length: 100\r\nExpect: 100-continue\r\n\r\n"
	)
	for _, c := range []struct {
		door, addr, request, token, problems, body string
	}{
		{"serve", serve, "PUT /api/users/stalled", "ops-token", "/problems/", lengthBody},
		{"serve, chunked", serve, "PUT /api/users/stalled", "ops-token", "/problems/", chunkedBody},
		{"serve, a body promised (Expect: 100-continue) and never sent", serve, "PUT /api/users/stalled", "ops-token", "/problems/", promised},
		{"proxy, its API", prox, "POST /_gone/rules", cliAdminToken, "/_gone/problems/", lengthBody},
		{"proxy, its API, chunked", prox, "POST /_gone/rules", cliAdminToken, "/_gone/problems/", chunkedBody},
		{"proxy, the site", prox, "PUT /upload", "", "/_gone/problems/", lengthBody},
		{"proxy, the site, chunked", prox, "PUT /upload", "", "/_gone/problems/", chunkedBody},
	} {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "%s HTTP/1.1\r\nHost: gone.example\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n%s", c.request, c.token, c.body)
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err == nil && resp.StatusCode == http.StatusContinue {
			resp, err = http.ReadResponse(br, nil)
		}
		if err != nil {
			t.Fatalf("%s: reading the answer: %v", c.door, err)
		}
		body, _ := io.ReadAll(resp.Body)
		conn.Close()
		var p struct{ Type string }
		json.Unmarshal(body, &p)
		if resp.StatusCode != http.StatusRequestTimeout || !resp.Close || p.Type != c.problems+"request-timeout" {
			t.Errorf("%s: %d (close %v) %s, want 408, the connection closed, type %srequest-timeout", c.door, resp.StatusCode, resp.Close, body, c.problems)
			continue
		}
		doc, err := http.Get("http://" + c.addr + p.Type)
		if err != nil {
			t.Fatal(err)
		}
		doc.Body.Close()
		if doc.StatusCode != http.StatusOK {
			t.Errorf("%s: GET %s: %d, want its documentation", c.door, p.Type, doc.StatusCode)
		}
	}
	resp, err := http.Get("http://" + serve + "/api/users/stalled")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("after the stalled PUT, GET: %d, want 404 (nothing written)", resp.StatusCode)
	}
}

// Through gone proxy a request has one id end to end: the upstream is
// sent gone's (the caller's when sane, else a new one), never the
// caller's raw header; the answer carries one X-Request-Id, the
// upstream's own when it sent one (its answer passes unchanged, and an
// upstream that honours the id it was sent echoes gone's), else gone's.
func TestProxyAnswerHasOneRequestID(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var sent [][]string // X-Request-Id values the upstream received
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sent = append(sent, r.Header.Values("X-Request-Id"))
		mu.Unlock()
		switch r.URL.Path {
		case "/own":
			w.Header().Set("X-Request-Id", "upstream-7")
		case "/echo":
			w.Header().Set("X-Request-Id", r.Header.Get("X-Request-Id"))
		case "/hints":
			w.Header().Set("Link", "</a.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
		}
		io.WriteString(w, "upstream\n")
	}))
	defer up.Close()
	prox := proxyFor(t, up.URL, nil)
	id := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, c := range []struct {
		path   string
		client []string // the caller's X-Request-Id headers
		want   string   // the answer's id; "" for gone's fresh one
	}{
		{"/own", nil, "upstream-7"},
		{"/own", []string{"mine"}, "upstream-7"},
		{"/echo", nil, ""},
		{"/echo", []string{"mine"}, "mine"},
		{"/echo", []string{"has space"}, ""},
		{"/echo", []string{"first", "second"}, "first"},
		{"/none", nil, ""},
		{"/none", []string{"mine"}, "mine"},
		{"/hints", nil, ""},
	} {
		req, _ := http.NewRequest("GET", prox+c.path, nil)
		req.Header["X-Request-Id"] = c.client
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		mu.Lock()
		got := sent[len(sent)-1]
		mu.Unlock()
		ids := resp.Header.Values("X-Request-Id")
		if len(ids) != 1 || c.want != "" && ids[0] != c.want || c.want == "" && !id.MatchString(ids[0]) {
			t.Errorf("GET %s with X-Request-Id %q: answered %q, want one: %q (or gone's fresh one)", c.path, c.client, ids, c.want)
		}
		if len(got) != 1 || c.path != "/own" && got[0] != ids[0] || c.want == "" && !id.MatchString(got[0]) || len(c.client) > 0 && c.want == c.client[0] && got[0] != c.want {
			t.Errorf("GET %s with X-Request-Id %q: the upstream got %q, want gone's id alone", c.path, c.client, got)
		}
	}
}

// With one request in progress and no queue, gone proxy sheds its admin
// API, however its path is spelled (the proxy routes by the normalized
// path, and so must shedding), and nothing else: the site's traffic, a
// path that only starts like the prefix, and the health check.
func TestProxyShedsItsAPIAloneWhateverTheSpelling(t *testing.T) {
	t.Parallel()
	prox := strings.TrimPrefix(proxyInProcess(t, "--max-inflight", "1", "--max-queue", "0", "--body-idle-timeout", "5s"), "http://")
	// The one slot: an API request whose body never comes.
	holdSlot(t, prox, "/_gone/api", fmt.Sprintf("POST /_gone/rules HTTP/1.1\r\nHost: gone.example\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", cliAdminToken))
	ask := func(target string) int { return statusOf(t, prox, target, "") }
	for _, c := range []struct {
		target string
		want   int
	}{
		{"/_gone/api", http.StatusServiceUnavailable},
		{"/x/../_gone/api", http.StatusServiceUnavailable},
		{"//_gone/api", http.StatusServiceUnavailable},
		{"/_g%6Fne/api", http.StatusServiceUnavailable},
		{"/_gone", http.StatusServiceUnavailable},
		{"/_gone/healthz", http.StatusOK},
		{"/x/../_gone/healthz", http.StatusOK},
		{"/_gonex/page", http.StatusOK},
		{"/some/page", http.StatusOK},
	} {
		if got := ask(c.target); got != c.want {
			t.Errorf("GET %s while the API's one slot is held: %d, want %d", c.target, got, c.want)
		}
	}
}

// statusOf is the status of GET target at addr, sent as written, with the
// header lines extra.
func statusOf(t *testing.T, addr, target, extra string) int {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: gone.example\r\n%s\r\n", target, extra)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	// The body is left unread: a stream's never ends.
	return resp.StatusCode
}

// With one request in progress and no queue, gone serve sheds the API but
// never its health checks nor a change stream (which would hold a slot
// for hours).
func TestServeNeverShedsHealthNorStreams(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serve, _ := serveInProcess(t, ctx, "--max-inflight", "1", "--max-queue", "0", "--body-idle-timeout", "5s")
	holdSlot(t, serve, "/api/users/42", "PUT /api/users/held HTTP/1.1\r\nHost: gone.example\r\nAuthorization: Bearer ops-token\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	for _, c := range []struct {
		target, headers string
		want            int
	}{
		{"/healthz", "", http.StatusOK},
		{"/readyz", "", http.StatusOK},
		{"/api/changes", "Accept: text/event-stream\r\nAuthorization: Bearer ops-token\r\n", http.StatusOK},
		{"/api/changes", "Authorization: Bearer ops-token\r\n", http.StatusServiceUnavailable},
	} {
		if got := statusOf(t, serve, c.target, c.headers); got != c.want {
			t.Errorf("GET %s (%q) while the one slot is held: %d, want %d", c.target, c.headers, got, c.want)
		}
	}
}

// holdSlot sends raw (a request whose body never comes) to addr until it
// holds the server's one slot: until GET probe is shed. A probe may take
// the slot first and have raw shed; raw is then sent again.
func holdSlot(t *testing.T, addr, probe, raw string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		hold, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { hold.Close() })
		io.WriteString(hold, raw)
		for time.Now().Before(deadline) {
			if statusOf(t, addr, probe, "") == http.StatusServiceUnavailable {
				return
			}
			hold.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
			if n, _ := hold.Read(make([]byte, 1)); n > 0 {
				break // answered (shed): hold again
			}
		}
	}
	t.Fatalf("GET %s is never shed: nothing holds the slot", probe)
}
