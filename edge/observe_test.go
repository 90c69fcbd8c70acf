package edge_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/edge"
)

// counts records what the edge reports, as metrics.HTTP would.
type counts struct {
	mu   sync.Mutex
	seen []string // "route status"
}

func (c *counts) Request(route string, status int, _ time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen = append(c.seen, route+" "+http.StatusText(status))
}

func (c *counts) Shed() {}

func (c *counts) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.seen
	c.seen = nil
	return s
}

// syncBuffer is a log sink the server's goroutines may write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// observed serves, through edge.Serve, a door that names its routes and
// callers as serve's API does, with one route that panics and one that
// aborts; the door is itself mounted with edge.Handler, as a test world or
// a middleware user may do, and must still be observed once.
func observed(t *testing.T) (url string, c *counts, log *syncBuffer) {
	t.Helper()
	c, log = &counts{}, &syncBuffer{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		info := edge.InfoOf(r.Context())
		info.Route, info.Caller = r.Pattern, "reader"
		w.Write([]byte("thing"))
	})
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5")
		w.Header().Set("ETag", `"half"`)
		panic("secret state 0xdeadbeef")
	})
	mux.HandleFunc("GET /abort", func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler)
	})
	cfg := edge.Config{Log: slog.New(slog.NewTextHandler(log, nil)), Metrics: c}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: edge.Handler(mux, cfg), ErrorLog: slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)}
	go edge.Serve(srv, ln, cfg)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String(), c, log
}

func TestEveryRequestHasAnIDALineAndACount(t *testing.T) {
	t.Parallel()
	url, c, log := observed(t)
	hexID := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, tt := range []struct {
		sent string
		want func(string) bool
	}{
		{"", hexID.MatchString},
		{"req-42", func(id string) bool { return id == "req-42" }},
		{"has space", hexID.MatchString},
		{strings.Repeat("x", 65), hexID.MatchString},
	} {
		req, _ := http.NewRequest("GET", url+"/things/7", nil)
		if tt.sent != "" {
			req.Header.Set("X-Request-Id", tt.sent)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		id := resp.Header.Get("X-Request-Id")
		if !tt.want(id) || len(resp.Header.Values("X-Request-Id")) != 1 {
			t.Errorf("sent X-Request-Id %q: got %q, want one sane id", tt.sent, resp.Header.Values("X-Request-Id"))
		}
		if !strings.Contains(log.String(), "request_id="+id+" method=GET path=/things/7 route=\"GET /things/{id}\" status=200") {
			t.Errorf("no request line for %s:\n%s", id, log.String())
		}
	}
	if got := c.take(); len(got) != 4 || got[0] != "GET /things/{id} OK" {
		t.Errorf("counted %q, want 4 × \"GET /things/{id} OK\" (once each, though the door is mounted twice)", got)
	}
	if strings.Count(log.String(), "msg=request ") != 4 {
		t.Errorf("want 4 request lines, one per request:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "caller=reader") {
		t.Errorf("the line does not name the caller the door set:\n%s", log.String())
	}

	// A request the edge refuses itself is counted and logged too.
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
	head, _ := io.ReadAll(io.LimitReader(conn, 4096))
	if !bytes.HasPrefix(head, []byte("HTTP/1.1 405")) || !bytes.Contains(head, []byte("X-Request-Id: ")) {
		t.Errorf("CONNECT: got %q, want a 405 with a request id", head)
	}
	if got := c.take(); len(got) != 1 || got[0] != "none Method Not Allowed" {
		t.Errorf("a refusal counted %q, want [\"none Method Not Allowed\"]", got)
	}
}

func TestPanicIsA500ProblemThatTellsNothing(t *testing.T) {
	t.Parallel()
	url, c, log := observed(t)
	resp, err := http.Get(url + "/panic")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var p answer.Problem
	if err := json.Unmarshal(body, &p); err != nil || resp.StatusCode != 500 || p.Status != 500 {
		t.Fatalf("got %d %s (%v), want a 500 problem", resp.StatusCode, body, err)
	}
	id := resp.Header.Get("X-Request-Id")
	if p.RequestID != id || id == "" {
		t.Errorf("problem requestId %q, header %q: want the same id in both", p.RequestID, id)
	}
	if bytes.Contains(body, []byte("deadbeef")) || resp.Header.Get("ETag") != "" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the answer carries what the handler had before it panicked: %v %s", resp.Header, body)
	}
	if !strings.Contains(log.String(), "panic: secret state 0xdeadbeef") || !strings.Contains(log.String(), "request_id="+id) {
		t.Errorf("the log lacks the panic and its request id:\n%s", log.String())
	}
	if got := c.take(); len(got) != 1 || got[0] != "none Internal Server Error" {
		t.Errorf("counted %q, want one 500", got)
	}

	// A handler that aborts on purpose (as ReverseProxy does when an
	// upstream breaks off) gets no 500: its connection is cut.
	resp, err = http.Get(url + "/abort")
	if err == nil {
		resp.Body.Close()
		t.Errorf("GET /abort: got %d, want the connection cut", resp.StatusCode)
	}
}
