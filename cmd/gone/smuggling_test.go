package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
