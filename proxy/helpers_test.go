package proxy_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/demotest"
	"github.com/gonehttp/gone/internal/pgtest"
	"github.com/gonehttp/gone/postgres"
	"github.com/gonehttp/gone/proxy"
	"github.com/gonehttp/gone/sqlite"
)

// seen is one request as the upstream received it.
type seen struct {
	Method, URI, Path, Host string
	Header                  http.Header
	BodySHA                 string
	BodyLen                 int
}

// upstream is a real HTTP server behind the proxy that records what it
// receives; it streams, answers slowly, echoes and 404s on demand.
type upstream struct {
	*httptest.Server
	mu   sync.Mutex
	got  []seen
	gate chan struct{} // /stream waits on it between its two chunks
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{gate: make(chan struct{})}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, _ := io.Copy(h, r.Body)
		u.mu.Lock()
		u.got = append(u.got, seen{r.Method, r.RequestURI, r.URL.Path, r.Host, r.Header.Clone(), hex.EncodeToString(h.Sum(nil)), int(n)})
		u.mu.Unlock()
		switch {
		case r.URL.Path == "/stream":
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "first\n")
			w.(http.Flusher).Flush()
			select {
			case <-u.gate:
			case <-time.After(10 * time.Second):
			}
			io.WriteString(w, "second\n")
		case r.URL.Path == "/slow":
			time.Sleep(300 * time.Millisecond)
			io.WriteString(w, "slow but here\n")
		case r.URL.Path == "/echo":
			w.Header().Set("X-Body-SHA", hex.EncodeToString(h.Sum(nil)))
			w.WriteHeader(http.StatusCreated)
		case strings.HasPrefix(r.URL.Path, "/missing"):
			http.Error(w, "upstream's own 404", http.StatusNotFound)
		default:
			w.Header().Set("X-Upstream", "yes")
			fmt.Fprintf(w, "upstream %s %s\n", r.Method, r.RequestURI)
		}
	}))
	t.Cleanup(u.Close)
	return u
}

// take returns and forgets what the upstream received.
func (u *upstream) take() []seen {
	u.mu.Lock()
	defer u.mu.Unlock()
	got := u.got
	u.got = nil
	return got
}

// stores are the engines the proxy is tested over.
var stores = map[string]func(t testing.TB) gone.Store{
	"sqlite": func(t testing.TB) gone.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "gone.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	},
	"postgres": func(t testing.TB) gone.Store {
		s, err := postgres.Open(context.Background(), pgtest.Schema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	},
}

// front is a proxy in front of an upstream, over a real store.
type front struct {
	*httptest.Server
	up    *upstream
	svc   *gone.Service
	rules *gonehttp.Rules
	clock *clock
}

const adminToken = "admin-secret"

func newFront(t *testing.T, store gone.Store, up *upstream, specs ...gone.RuleSpec) *front {
	t.Helper()
	ctx := context.Background()
	clock := &clock{t: demotest.Now}
	svc := gone.NewService(store, demo.Config(), gone.WithClock(clock.Now))
	if len(specs) > 0 {
		if _, err := svc.SetRules(ctx, gone.Caller{Name: "test", Scopes: []gone.Scope{gone.ScopeAdmin}}, specs, nil); err != nil {
			t.Fatalf("SetRules: %v", err)
		}
	}
	rules, err := gonehttp.Load(ctx, svc, gonehttp.WithProblemBase("/_gone/problems/"))
	if err != nil {
		t.Fatal(err)
	}
	tokens := httpapi.NewTokens()
	tokens.Add(adminToken, "admin", true)
	log := slog.New(slog.DiscardHandler)
	target, _ := url.Parse(up.URL)
	tr := proxy.NewTransport()
	tr.ResponseHeaderTimeout = 2 * time.Second
	h := proxy.New(proxy.Config{
		Upstream: target, Rules: rules, Admin: httpapi.NewServer(log, svc, tokens), Transport: tr, Log: log,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &front{Server: srv, up: up, svc: svc, rules: rules, clock: clock}
}

// noRules is an empty rule set over a fresh SQLite store.
func noRules(tb testing.TB) *gonehttp.Rules {
	tb.Helper()
	rules, err := gonehttp.Load(context.Background(), gone.NewService(stores["sqlite"](tb), nil))
	if err != nil {
		tb.Fatal(err)
	}
	return rules
}

// raw sends a request line exactly as written (no client-side cleaning),
// with Host: site.example unless header says otherwise, and returns the
// response with its body read.
func raw(t *testing.T, addr, method, target string, header map[string]string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(addr, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	host := "site.example"
	if h, ok := header["Host"]; ok {
		host = h
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method, target, host)
	for k, v := range header {
		if k == "Host" {
			continue
		}
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func newServer(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
