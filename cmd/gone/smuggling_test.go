package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/edge"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/sqlite"
)

// recorder is an upstream (or an application behind the middleware) that
// records every request it receives, with its headers.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (u *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	u.mu.Lock()
	var hdr strings.Builder
	r.Header.Write(&hdr)
	u.seen = append(u.seen, r.Method+" "+r.URL.RequestURI()+"\n"+hdr.String()+"\n"+string(body))
	u.mu.Unlock()
	io.WriteString(w, "upstream answered "+r.URL.Path+"\n")
}

func (u *recorder) take() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	s := u.seen
	u.seen = nil
	return s
}

// smuggle is one request a front proxy and gone could frame differently.
type smuggle struct {
	name, fields string
	proto        string // "HTTP/1.1" unless set
	want         int
}

// smuggles are the framings every front door refuses: each hides a second
// request (GET /secret/x, retired) in what a front framing by
// Content-Length takes for a body.
var smuggles = []smuggle{
	{name: "CL+TE", fields: "Content-Length: 41\r\nTransfer-Encoding: chunked\r\n", want: 400},
	{name: "TE+CL", fields: "Transfer-Encoding: chunked\r\nContent-Length: 41\r\n", want: 400},
	{name: "TE+TE", fields: "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", want: 400},
	{name: "TE leading space", fields: "Transfer-Encoding:  chunked\r\nContent-Length: 41\r\n", want: 400},
	{name: "TE list", fields: "Transfer-Encoding: chunked, identity\r\n", want: 400},
	{name: "TE tab", fields: "Transfer-Encoding:\tchunked\r\n", want: 400},
	{name: "TE upper case", fields: "Transfer-Encoding: CHUNKED\r\n", want: 400},
	{name: "TE space before colon", fields: "Transfer-Encoding : chunked\r\n", want: 400},
	{name: "TE unknown coding", fields: "Transfer-Encoding: xchunked\r\n", want: 501},
	{name: "TE on HTTP/1.0", fields: "Transfer-Encoding: chunked\r\n", proto: "HTTP/1.0", want: 400},
	{name: "CL list", fields: "Content-Length: 41, 41\r\n", want: 400},
	{name: "CL differ", fields: "Content-Length: 41\r\nContent-Length: 5\r\n", want: 400},
	{name: "obs-fold hides TE", fields: "X-Pad: a\r\n Transfer-Encoding: chunked\r\nContent-Length: 41\r\n", want: 400},
	{name: "obs-fold TE value", fields: "Transfer-Encoding:\r\n chunked\r\nContent-Length: 41\r\n", want: 400},
}

// door is one front door on a real socket.
type door struct {
	name string
	addr string
	// app is what stands behind the door (the proxy's upstream, the
	// middleware's application); nil for gone serve.
	app *recorder
}

// TestNothingSmuggled sends every framing of smuggles to each front door
// over raw TCP: gone serve, gone proxy in front of a recording upstream,
// and the gonehttp middleware in a plain net/http server behind
// edge.Serve. Each is refused with its status and the connection closed;
// nothing reaches what stands behind the door, and no header of gone's
// own ever does.
func TestNothingSmuggled(t *testing.T) {
	t.Parallel()
	for _, d := range frontDoors(t) {
		t.Run(d.name, func(t *testing.T) {
			for _, s := range smuggles {
				proto := s.proto
				if proto == "" {
					proto = "HTTP/1.1"
				}
				body := "0\r\n\r\nGET /secret/x HTTP/1.1\r\nHost: a\r\n\r\n"
				got := rawExchange(t, d.addr, "POST /anything "+proto+"\r\nHost: a\r\n"+s.fields+"\r\n"+body)
				if want := proto + " " + strconv.Itoa(s.want) + " "; !strings.HasPrefix(got, "HTTP/1.1 "+strconv.Itoa(s.want)+" ") && !strings.HasPrefix(got, want) {
					t.Errorf("%s: answer\n%.400s\nwant %d", s.name, got, s.want)
				}
				if n := strings.Count(got, "HTTP/1."); n != 1 {
					t.Errorf("%s: %d answers on one connection, want 1 and the connection closed:\n%s", s.name, n, got)
				}
				if !strings.Contains(got, "application/problem+json") {
					t.Errorf("%s: the refusal is not a problem:\n%.400s", s.name, got)
				}
				if d.app != nil {
					if seen := d.app.take(); len(seen) > 0 {
						t.Errorf("%s: reached what stands behind the door:\n%s", s.name, strings.Join(seen, "\n---\n"))
					}
				}
			}
		})
	}
}

// TestFramingPassesOrdinaryRequests: what is not ambiguous goes through
// every door, and no header of gone's own reaches the upstream; an
// absolute-form target is matched on its path like any other.
func TestFramingPassesOrdinaryRequests(t *testing.T) {
	t.Parallel()
	for _, d := range frontDoors(t) {
		if d.app == nil {
			continue
		}
		t.Run(d.name, func(t *testing.T) {
			got := rawExchange(t, d.addr, "POST /ok HTTP/1.1\r\nHost: a\r\nGone-Framing: conflict\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
			if !strings.HasPrefix(got, "HTTP/1.1 200 ") || !strings.Contains(got, "Connection: close") {
				t.Errorf("a chunked POST: answer\n%.400s\nwant 200, then the connection closed", got)
			}
			seen := d.app.take()
			if len(seen) != 1 || !strings.HasSuffix(seen[0], "{}") {
				t.Fatalf("a chunked POST: the upstream saw %q, want the one request with its body", seen)
			}
			if strings.Contains(seen[0], "Gone-") {
				// The client's own Gone-Framing passes untouched (it is
				// just a header); gone adds none of its own.
				if strings.Count(seen[0], "Gone-") != 1 {
					t.Errorf("gone added a header of its own:\n%s", seen[0])
				}
			}
			got = rawExchange(t, d.addr, "GET http://a/secret/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
			if !strings.HasPrefix(got, "HTTP/1.1 410 ") {
				t.Errorf("an absolute-form target of a retired path: answer\n%.400s\nwant 410", got)
			}
			if seen := d.app.take(); len(seen) > 0 {
				t.Errorf("an absolute-form target of a retired path reached the upstream: %q", seen)
			}
		})
	}
}

// frontDoors starts the three doors, each with /secret/ retired.
func frontDoors(t *testing.T) []door {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	rules := filepath.Join(t.TempDir(), "gone.nginx.conf")
	if err := os.WriteFile(rules, []byte("location ^~ /secret/ { return 410; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	serveAddr, _ := serveInProcess(t, ctx)

	up := &recorder{}
	upSrv := &http.Server{Handler: up}
	upLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go upSrv.Serve(upLn)
	t.Cleanup(func() { upSrv.Close() })
	proxyURL := proxyFor(t, "http://"+upLn.Addr().String(), nil, "--rules", rules)

	// The middleware, as a Go service embeds it.
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "mw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := gone.NewService(store, demo.Config())
	admin := gone.Caller{Name: "ops", Scopes: []gone.Scope{gone.ScopeAdmin}}
	if _, _, err := svc.SetRule(ctx, admin, gone.RuleSpec{RuleKey: gone.RuleKey{Path: "/secret/", Prefix: true}, Action: gone.RuleGone}); err != nil {
		t.Fatal(err)
	}
	rs, err := gonehttp.Load(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	app := &recorder{}
	mwLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mw := &http.Server{Handler: gonehttp.Handler(app, rs), ReadHeaderTimeout: 5 * time.Second}
	go edge.Serve(mw, mwLn, edge.Config{})
	t.Cleanup(func() { mw.Close() })

	return []door{
		{name: "serve", addr: serveAddr},
		{name: "proxy", addr: strings.TrimPrefix(proxyURL, "http://"), app: up},
		{name: "middleware", addr: mwLn.Addr().String(), app: app},
	}
}

// TestRefusedAfterOtherRequests: a refused framing is refused wherever it
// comes on a connection, after requests that net/http serves itself
// (OPTIONS *), after bare-LF and Content-Length requests, and after a
// header block too long for the guard to hold, sent in pieces so that the
// guard sees it overflow before its end: the refused request never
// reaches what stands behind the door, the requests before it do, and the
// connection ends with the refusal.
func TestRefusedAfterOtherRequests(t *testing.T) {
	t.Parallel()
	smuggled := "POST /anything HTTP/1.1\r\nHost: a\r\nContent-Length: 41\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"0\r\n\r\nGET /secret/x HTTP/1.1\r\nHost: a\r\n\r\n"
	tests := []struct {
		name  string
		parts []string // written one after the other, with a pause between
		seen  []string // request lines the app or upstream must see, in order
		last  string   // the status line's start of the last answer
	}{
		{name: "after OPTIONS *", parts: []string{"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n" + smuggled}, last: "HTTP/1.1 400 "},
		{name: "after OPTIONS * with a body", parts: []string{"OPTIONS * HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}" + smuggled}, last: "HTTP/1.1 400 "},
		{name: "after two OPTIONS *", parts: []string{"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", smuggled}, last: "HTTP/1.1 400 "},
		{name: "after bare-LF and Content-Length requests", parts: []string{"GET /a HTTP/1.1\nHost: a\n\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}", smuggled},
			seen: []string{"GET /a", "POST /b"}, last: "HTTP/1.1 400 "},
		{name: "a Host past the guard's scan", parts: []string{"POST /anything HTTP/1.1\r\nHost: " + strings.Repeat("a", 1<<20+1000),
			"\r\nContent-Length: 41\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /secret/x HTTP/1.1\r\nHost: a\r\n\r\n"}, last: "HTTP/1.1 4"},
		{name: "a field past the guard's scan", parts: []string{"POST /anything HTTP/1.1\r\nHost: a\r\nX-Pad: " + strings.Repeat("a", 1<<20+1000),
			"\r\nContent-Length: 41\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /secret/x HTTP/1.1\r\nHost: a\r\n\r\n"}, last: "HTTP/1.1 431 "},
	}
	for _, d := range frontDoors(t) {
		t.Run(d.name, func(t *testing.T) {
			for _, tt := range tests {
				got := pacedExchange(t, d.addr, tt.parts...)
				answers := regexp.MustCompile(`(?m)^HTTP/1\.1 \d\d\d `).FindAllString(got, -1)
				if want := len(tt.seen) + 1 + strings.Count(strings.Join(tt.parts, ""), "OPTIONS *"); len(answers) != want {
					t.Errorf("%s: %d answers %q, want %d and the connection closed:\n%.600s", tt.name, len(answers), answers, want, got)
				}
				if len(answers) > 0 && !strings.HasPrefix(answers[len(answers)-1], tt.last) {
					t.Errorf("%s: last answer %q, want %q", tt.name, answers[len(answers)-1], tt.last)
				}
				if d.app == nil {
					continue
				}
				var seen []string
				for _, s := range d.app.take() {
					seen = append(seen, strings.SplitN(s, "\n", 2)[0])
				}
				if strings.Join(seen, ",") != strings.Join(tt.seen, ",") {
					t.Errorf("%s: behind the door arrived %q, want %q", tt.name, seen, tt.seen)
				}
			}
		})
	}
}

// pacedExchange writes parts to a fresh connection with a pause after
// each, so that the server reads them apart, and returns all it answers
// until it closes the connection.
func pacedExchange(t *testing.T, addr string, parts ...string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	for _, p := range parts {
		if _, err := io.WriteString(c, p); err != nil {
			// The server may answer and close before all is written.
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, err := io.ReadAll(c)
	// A reset is a close with bytes of ours left unread.
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("the server kept the connection open after answering: %v; read so far:\n%.600s", err, b)
	}
	return string(b)
}

// TestUpgradedConnectionPassesBytes: once gone proxy has switched a
// connection to another protocol (--allow-upgrade, a real upstream that
// answers 101 and echoes), its bytes are no longer HTTP/1.1: the guard
// holds none of them back looking for a header block's end and judges
// none of them as one.
func TestUpgradedConnectionPassesBytes(t *testing.T) {
	t.Parallel()
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
		rw.Flush()
		io.Copy(c, rw)
	})
	upLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	upSrv := &http.Server{Handler: echo}
	go upSrv.Serve(upLn)
	t.Cleanup(func() { upSrv.Close() })
	addr := strings.TrimPrefix(proxyFor(t, "http://"+upLn.Addr().String(), nil, "--allow-upgrade", "/ws/"), "http://")

	for _, payload := range []string{
		"\x81\x05hello", // a WebSocket frame: no line end at all
		"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
		"line\n\nGET /secret/x HTTP/1.1\r\n\r\n",
	} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(3 * time.Second))
		io.WriteString(c, "GET /ws/chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
			c.Close()
			t.Fatalf("the upgrade: %v %v, want 101", resp, err)
		}
		io.WriteString(c, payload)
		got := make([]byte, len(payload))
		if _, err := io.ReadFull(br, got); err != nil || string(got) != payload {
			t.Errorf("after the upgrade, sent %q: echoed %q (%v), want it back unchanged", payload, got, err)
		}
		c.Close()
	}
}

// What is not a request for a path is refused by the edge on every door,
// and reaches nothing behind it: CONNECT (gone is no forward proxy) and an
// authority-form target, which has no path a rule could match. A client's
// malformed chunked body is the client's fault: 400, not the proxy's 502.
func TestEdgeRefusesWhatIsNotAPath(t *testing.T) {
	t.Parallel()
	for _, d := range frontDoors(t) {
		t.Run(d.name, func(t *testing.T) {
			for _, c := range []struct {
				name, raw string
				want      string
			}{
				{"CONNECT", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", "HTTP/1.1 405 "},
				{"authority form", "GET a:80 HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 400 "},
			} {
				got := rawExchange(t, d.addr, c.raw)
				if !strings.HasPrefix(got, c.want) || !strings.Contains(got, "application/problem+json") {
					t.Errorf("%s: answer\n%.400s\nwant %q and a problem", c.name, got, c.want)
				}
				if d.app != nil {
					if seen := d.app.take(); len(seen) > 0 {
						t.Errorf("%s: reached what stands behind the door: %q", c.name, seen)
					}
				}
			}
			if d.name == "proxy" {
				got := rawExchange(t, d.addr, "POST /form HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot hex\r\n0\r\n\r\n")
				if !strings.HasPrefix(got, "HTTP/1.1 400 ") {
					t.Errorf("a malformed chunked body through the proxy: answer\n%.400s\nwant 400", got)
				}
				d.app.take()
			}
		})
	}
}
