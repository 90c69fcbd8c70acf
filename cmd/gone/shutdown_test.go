package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveInProcess runs `gone serve` in this process over a temp SQLite file
// with the demo world, and returns its address and run's result channel.
func serveInProcess(t *testing.T, ctx context.Context, extra ...string) (addr string, result <-chan error) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "gone.db")
	getenv := func(k string) string {
		if k == "GONE_ADMIN_TOKEN" {
			return "ops-token"
		}
		return ""
	}
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--demo"}, extra...)
	go func() {
		err := run(ctx, args, getenv, nil, pw, io.Discard)
		pw.Close()
		errc <- err
	}()
	if a := listenAddr(pr); a != "" {
		return a, errc
	}
	t.Fatalf("serve never said where it listens; run returned %v", <-errc)
	return "", nil
}

func TestServeShutsDownAndDrains(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, result := serveInProcess(t, ctx)

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: status %d, want 200", resp.StatusCode)
	}
	// The operations wiring: metrics from the store decorator, the counts
	// collector and the purger's first pass are all served.
	_, body := getMetrics(t, "http://"+addr+"/metrics", "ops-token")
	for _, want := range []string{"gone_store_duration_seconds_bucket", `gone_tombstones{collection="users"} 1`, "gone_purge_runs_total", "go_goroutines"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("GET /metrics lacks %q", want)
		}
	}

	// A request in flight: the handler is reading a body that is not all
	// there yet. With Expect: 100-continue the server answers 100 only
	// once the handler asks for the body, so after the 100 the request is
	// provably inside the handler, with no sleep.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const payload = `{"name":"drained"}`
	fmt.Fprintf(conn, "PUT /api/users/drained HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer ops-token\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", addr, len(payload))
	br := bufio.NewReader(conn)
	if line, err := br.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("waiting for 100 Continue: %q, %v", line, err)
	}
	br.ReadString('\n') // the blank line after the interim response

	cancel() // SIGTERM, as far as run can tell

	// Shutdown closes the listener first: once a dial is refused, the
	// server is shutting down with our request still in its handler.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener is still open 10s after cancel")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-result:
		t.Fatalf("run returned (%v) while a request was in flight", err)
	default:
	}

	io.WriteString(conn, payload)
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("in-flight PUT: status %d, want 201", resp.StatusCode)
	}
	select {
	case err := <-result:
		if err != nil {
			t.Errorf("run after cancel = %v, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after the in-flight request completed")
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Error("the listener still accepts connections after run returned")
	}
}

// TestServeShutdownEndsChangeStreams: an open change stream never ends by
// itself, and Shutdown waits for handlers; without WithShutdown it would
// wait out its whole timeout and run would return an error.
func TestServeShutdownEndsChangeStreams(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, result := serveInProcess(t, ctx)
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/changes", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer ops-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	if line, err := br.ReadString('\n'); err != nil || !strings.HasPrefix(line, "retry:") {
		t.Fatalf("stream's first line = %q, %v", line, err)
	}
	cancel()
	select {
	case err := <-result:
		if err != nil {
			t.Errorf("run with an open stream = %v, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return")
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		t.Logf("stream ended: %v", err)
	}
}
