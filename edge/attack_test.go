package edge_test

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/gonehttp/gone/edge"
	"github.com/gonehttp/gone/internal/logbuf"
)

// served serves h through edge.Serve with gone serve's log handler.
func served(t *testing.T, h http.Handler) (addr string, c *counts, log *syncBuffer) {
	t.Helper()
	c, log = &counts{}, &syncBuffer{}
	cfg := edge.Config{Log: slog.New(logbuf.NewTextHandler(log, nil)), Metrics: c}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ErrorLog: slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)}
	go edge.Serve(srv, ln, cfg)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), c, log
}

// roundTrip writes raw to addr and reads one answer.
func roundTrip(t *testing.T, addr, raw string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, raw)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%.60q: %v", raw, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

// A caller's X-Request-Id is ours only when it is short printable ASCII
// without spaces: nothing it says can break the log line into another
// field or line, nor the answer's header.
func TestCallerRequestIDCannotForgeTheLog(t *testing.T) {
	t.Parallel()
	addr, _, log := served(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, tt := range []struct {
		name    string
		headers string // raw header lines
		keep    string // the id kept, "" for a fresh one
	}{
		{"a log field", "X-Request-Id: x status=200\r\n", ""},
		{"quotes and equals", "X-Request-Id: a\"b=c\r\n", "a\"b=c"},
		{"non-ASCII", "X-Request-Id: caf\xc3\xa9\r\n", ""},
		{"64 bytes", "X-Request-Id: " + strings.Repeat("6", 64) + "\r\n", strings.Repeat("6", 64)},
		{"65 bytes", "X-Request-Id: " + strings.Repeat("6", 65) + "\r\n", ""},
		{"two of them", "X-Request-Id: first\r\nX-Request-Id: second\r\n", "first"},
		{"empty", "X-Request-Id: \r\n", ""},
	} {
		resp, _ := roundTrip(t, addr, "GET /id HTTP/1.1\r\nHost: x\r\n"+tt.headers+"Connection: close\r\n\r\n")
		ids := resp.Header.Values("X-Request-Id")
		if len(ids) != 1 || tt.keep != "" && ids[0] != tt.keep || tt.keep == "" && len(ids[0]) != 16 {
			t.Errorf("%s: answered X-Request-Id %q, want one: %q (or a fresh one if empty)", tt.name, ids, tt.keep)
			continue
		}
		var line string
		for _, l := range strings.Split(log.String(), "\n") {
			if strings.Contains(l, "msg=request ") && (strings.Contains(l, "request_id="+ids[0]+" ") || strings.Contains(l, "request_id="+strconv.Quote(ids[0])+" ")) {
				line = l
			}
		}
		if strings.Count(line, " status=") != 1 || strings.Count(line, "request_id=") != 1 {
			t.Errorf("%s: log line %q, want one request_id and one status", tt.name, line)
		}
	}
}

// A handler that panics once its answer has begun gets no 500 after it:
// a second status, or a problem appended to the body, would be a corrupt
// answer a cache might keep. The connection is cut, so the client sees the
// answer unfinished; the panic is logged and the request counted by the
// status that was sent. (The handler asserts http.Flusher, as handlers
// that predate http.ResponseController do: behind the edge it must hold.)
func TestPanicAfterTheAnswerBeganCutsTheConnection(t *testing.T) {
	t.Parallel()
	addr, c, log := served(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("partial "))
		w.(http.Flusher).Flush()
		panic("late failure")
	}))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /late HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || err == nil || string(body) != "partial " {
		t.Errorf("got %d %q (read error %v), want 200 %q cut short", resp.StatusCode, body, err, "partial ")
	}
	if !strings.Contains(log.String(), "panic: late failure") {
		t.Errorf("the panic is not logged:\n%s", log.String())
	}
	if got := c.take(); len(got) != 1 || got[0] != "none OK" {
		t.Errorf("counted %q, want one 200 (the status sent)", got)
	}
}

// An informational answer (103 Early Hints, which the proxy passes on
// from an upstream) is not the request's status: the final one is logged
// and counted.
func TestInformationalAnswerIsNotTheStatus(t *testing.T) {
	t.Parallel()
	addr, c, _ := served(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusNotFound)
	}))
	resp, err := http.Get("http://" + addr + "/hints")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := c.take(); len(got) != 1 || got[0] != "none Not Found" {
		t.Errorf("counted %q, want one 404", got)
	}
}

// A handler that aborts on purpose (http.ErrAbortHandler: ReverseProxy
// when the upstream breaks off mid-body) is still one log line and one
// count.
func TestAbortedRequestIsLoggedAndCounted(t *testing.T) {
	t.Parallel()
	addr, c, log := served(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("half"))
		panic(http.ErrAbortHandler)
	}))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /abort HTTP/1.1\r\nHost: x\r\n\r\n")
	io.ReadAll(conn)
	if got := c.take(); len(got) != 1 || got[0] != "none OK" {
		t.Errorf("counted %q, want one 200 (the status sent)", got)
	}
	if !strings.Contains(log.String(), "path=/abort route=none status=200") {
		t.Errorf("no request line for the aborted request:\n%s", log.String())
	}
}

// edge.Handler mounted alone, on a server of the service's own, still
// refuses CONNECT: no tunnel, whichever way the edge is mounted.
func TestHandlerAloneRefusesConnect(t *testing.T) {
	t.Parallel()
	c := &counts{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: edge.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("%s %s reached the handler", r.Method, r.RequestURI)
	}), edge.Config{Metrics: c})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	resp, _ := roundTrip(t, ln.Addr().String(), "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("CONNECT: %d %v, want 405 with a request id", resp.StatusCode, resp.Header)
	}
}
