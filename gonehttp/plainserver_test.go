package gonehttp_test

import (
	"encoding/json"
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

// Every problem type the middleware's answers name resolves, in the
// service that embeds it, to its documentation; the service's other paths
// below /problems/ stay its own.
func TestMiddlewareDocumentsItsProblemTypes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := gone.NewService(store, demo.Config())
	admin := gone.Caller{Name: "admin", Scopes: []gone.Scope{gone.ScopeAdmin}}
	if _, _, err := svc.SetRule(ctx, admin, gone.RuleSpec{RuleKey: gone.RuleKey{Path: "/old"}, Action: gone.RuleGone}); err != nil {
		t.Fatal(err)
	}
	rules, err := gonehttp.Load(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	var reached []string
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = append(reached, r.Method+" "+r.URL.Path) })
	srv := httptest.NewServer(gonehttp.Handler(app, rules))
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + "/old")
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ Type string }
	json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone || p.Type != "/problems/gone" {
		t.Fatalf("GET /old: %d type %q, want 410 /problems/gone", resp.StatusCode, p.Type)
	}
	resp, err = http.Get(srv.URL + p.Type)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(doc), "permanently removed") {
		t.Errorf("GET %s: %d %q, want 200 and the documentation", p.Type, resp.StatusCode, doc)
	}
	for _, c := range []struct{ method, path string }{{"GET", "/problems/ours"}, {"POST", "/problems/gone"}} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if want := []string{"GET /problems/ours", "POST /problems/gone"}; strings.Join(reached, ",") != strings.Join(want, ",") {
		t.Errorf("the application saw %q, want %q", reached, want)
	}
}
