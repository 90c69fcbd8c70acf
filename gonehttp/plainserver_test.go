package gonehttp_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/sqlite"
)

// In a plain net/http server (no edge.Serve), the middleware still
// refuses what the edge refuses per request: CONNECT, a target that is
// not a path, an overlong target; none reaches the application.
func TestMiddlewareRefusesWithoutTheEdge(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	rules, err := gonehttp.Load(ctx, gone.NewService(store, demo.Config()))
	if err != nil {
		t.Fatal(err)
	}
	var reached atomic.Int32
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) })
	srv := httptest.NewServer(gonehttp.Handler(app, rules))
	t.Cleanup(srv.Close)
	for _, c := range []struct{ name, raw, want string }{
		{"CONNECT", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", "HTTP/1.1 405 "},
		{"authority form", "GET a:80 HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 400 "},
		{"overlong target", "GET /" + strings.Repeat("a", 20<<10) + " HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 414 "},
	} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(conn, c.raw)
		buf := make([]byte, 512)
		n, _ := io.ReadAtLeast(conn, buf, len(c.want))
		conn.Close()
		if got := string(buf[:n]); !strings.HasPrefix(got, c.want) || !strings.Contains(got, "application/problem+json") {
			t.Errorf("%s: answer %.200q, want %q and a problem", c.name, got, c.want)
		}
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the application was reached %d times", n)
	}
}
