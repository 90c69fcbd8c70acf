package cluster_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/contract"
	"github.com/gonehttp/gone/internal/pgtest"
	"github.com/gonehttp/gone/postgres"
)

const adminToken = "cluster-admin"

// instance is one gone server: its own store (own pool) and its own
// httptest server, as a separate process would have.
type instance struct {
	name  string
	url   string
	store *postgres.Store
	svc   *gone.Service
	clock skewClock
}

// skewClock is the real clock until a test sets it (set).
type skewClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *skewClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

func (c *skewClock) set(t time.Time) { c.mu.Lock(); c.at = t; c.mu.Unlock() }

// newCluster starts n instances over one fresh schema. They open the
// store at the same time, as instances behind a load balancer do.
func newCluster(t *testing.T, n int) []*instance {
	t.Helper()
	dsn := pgtest.Schema(t)
	insts := make([]*instance, n)
	errs := make(chan error, n)
	for i := range insts {
		go func() {
			store, err := postgres.Open(context.Background(), dsn)
			if err == nil {
				insts[i] = &instance{name: string(rune('A' + i)), store: store}
			}
			errs <- err
		}()
	}
	for range insts {
		if err := <-errs; err != nil {
			t.Fatalf("postgres.Open: %v", err)
		}
	}
	for _, in := range insts {
		t.Cleanup(func() { in.store.Close() })
		in.svc = gone.NewService(in.store, demo.Config(), gone.WithClock(in.clock.Now))
		tokens := httpapi.NewTokens()
		tokens.Add(adminToken, "admin-"+in.name, true)
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		// Every answer is checked against the document the instance
		// serves, as in the single-server tests (internal/contract).
		h := httpapi.NewServer(log, in.svc, tokens)
		spec, err := contract.Served(h)
		if err != nil {
			t.Fatal(err)
		}
		c, err := contract.Load(spec)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(contract.Handler(t, c, h))
		t.Cleanup(srv.Close)
		in.url = srv.URL
	}
	return insts
}

// client sends admin requests and never follows redirects: a 308 is an
// answer to check, not a detour.
var client = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// call sends one admin request and returns the status and body.
func call(t *testing.T, in *instance, method, path, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, in.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		// A transport error is not an answer; the tests never expect one.
		t.Errorf("%s %s on %s: %v", method, path, in.name, err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
