package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"
)

// rawExchange writes raw bytes to the server on one connection and reads
// until the server closes it (or 5 s pass, which fails: a connection that
// stays open could serve what follows).
func rawExchange(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("the server kept the connection open after answering: %v; read so far:\n%s", err, b)
	}
	return string(b)
}

// The real server as serve builds it, spoken to over raw TCP: a request
// with both Content-Length and Transfer-Encoding is refused and its
// connection closed, so a request smuggled in its body is never served
// (RFC 9112 §6.3); an overlong request target is a 414 problem.
func TestFraming(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _ := serveInProcess(t, ctx)

	smuggled := "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
	body := "0\r\n\r\n" + smuggled
	for _, order := range []string{
		"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
		"transfer-encoding: chunked\r\ncontent-length: 5\r\n",
	} {
		got := rawExchange(t, addr, "POST /api/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ops-token\r\nContent-Type: application/json\r\n"+order+"\r\n"+body)
		if !strings.HasPrefix(got, "HTTP/1.1 400 ") || !strings.Contains(got, "Connection: close") || !strings.Contains(got, "RFC 9112") {
			t.Errorf("CL and TE (%q): answer\n%s\nwant 400 with Connection: close", order, got)
		}
		if n := strings.Count(got, "HTTP/1.1 "); n != 1 || strings.Contains(got, `"status":"ok"`) {
			t.Errorf("CL and TE (%q): %d answers on the connection, the smuggled request was served:\n%s", order, n, got)
		}
	}

	// Framing that is not ambiguous keeps working: two requests framed by
	// Content-Length on one connection both answer, then a chunked one
	// answers and closes the connection.
	put := `{"name":"Kay"}`
	got := rawExchange(t, addr,
		"PUT /api/users/kay HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ops-token\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n"+put+
			"GET /api/users/kay HTTP/1.1\r\nHost: x\r\n\r\n"+
			"PUT /api/users/kay2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ops-token\r\nTransfer-Encoding: chunked\r\n\r\ne\r\n"+put+"\r\n0\r\n\r\n"+
			smuggled)
	for _, want := range []string{"HTTP/1.1 201 ", "HTTP/1.1 200 ", `{"name":"Kay"}`} {
		if !strings.Contains(got, want) {
			t.Errorf("pipelined requests: no %q in\n%s", want, got)
		}
	}
	if n := strings.Count(got, "HTTP/1.1 "); n != 3 || strings.Count(got, "HTTP/1.1 201 ") != 2 {
		t.Errorf("pipelined requests: %d answers, want 201, 200, 201 and the connection closed:\n%s", n, got)
	}

	// Keep-alive survives the guard: sequential requests reuse one
	// connection (net/http's background read times out between them).
	reused := 0
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
		if i.Reused {
			reused++
		}
	}}
	for i := 0; i < 5; i++ {
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), "GET", "http://"+addr+"/api/users/kay", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %d on a kept-alive connection: %d", i, resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if reused < 4 {
		t.Errorf("5 sequential GETs reused a connection %d times, want 4: keep-alive is broken", reused)
	}

	long := "/api/users/" + strings.Repeat("a", 70<<10)
	got = rawExchange(t, addr, "GET "+long+" HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(got, "HTTP/1.1 414 ") || !strings.Contains(got, "application/problem+json") || !strings.Contains(got, "/problems/uri-too-long") {
		t.Errorf("a 70 KiB request target: answer\n%.300s\nwant a 414 problem", got)
	}
	if len(got) > 4<<10 {
		t.Errorf("a 70 KiB request target: the 414 is %d bytes: the target was sent back", len(got))
	}
	got = rawExchange(t, addr, "GET /api/users/42 HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("b", 70<<10)+"\r\n\r\n")
	if !strings.HasPrefix(got, "HTTP/1.1 431 ") || !strings.Contains(got, "/problems/headers-too-large") {
		t.Errorf("70 KiB of headers: answer\n%.300s\nwant a 431 problem", got)
	}
}
