package httpapi_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gonehttp/gone/edge"
	"github.com/gonehttp/gone/internal/demotest"
)

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	n atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// The edge keeps kept-alive connections alive: many writes with bodies
// go over one connection, one after the other, and none fails. (A deadline
// that net/http sets between requests once closed the connection, and a
// POST sent on it failed with a broken pipe.)
func TestGuardFramingKeepsConnectionsAlive(t *testing.T) {
	w := demotest.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	counted := &countingListener{Listener: ln}
	srv := &http.Server{Handler: w.Handler(nil)}
	go edge.Serve(srv, counted, edge.Config{})
	t.Cleanup(func() { srv.Close() })
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	for i := range 30 {
		body := fmt.Sprintf(`{"id":"k%d","data":{"n":%d}}`, i, i)
		req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/api/users/_batch", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST %d on a kept-alive connection: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body) // drained, so the connection is reused
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %d: status %d", i, resp.StatusCode)
		}
	}
	if n := counted.n.Load(); n != 1 {
		t.Errorf("30 requests took %d connections, want 1", n)
	}
}
