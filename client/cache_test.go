package client_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone/client"
)

// A 200 is cached with its ETag and revalidated: the second read sends
// If-None-Match, gets 304, and returns the same body.
func TestRevalidate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.client()
	var a, b map[string]any
	if err := c.Get(ctx, "users", "42", &a); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, "users", "42", &b); err != nil {
		t.Fatal(err)
	}
	reqs := e.front.requests("GET", "/api/users/42")
	if len(reqs) != 2 || reqs[0].ifNoneMatch != "" || reqs[1].ifNoneMatch == "" || reqs[1].status != 304 {
		t.Fatalf("requests = %+v, want a plain GET then a 304 revalidation", reqs)
	}
	if a["name"] != "Ada Lovelace" || b["name"] != a["name"] {
		t.Errorf("bodies = %v, %v; want Ada twice", a, b)
	}
}

// A write through the client invalidates its cache entry: the next read
// is a plain GET that sees the change.
func TestWriteInvalidates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.admin()
	if err := c.Get(ctx, "users", "42", nil); err != nil {
		t.Fatal(err)
	}
	var patched map[string]any
	if err := c.Patch(ctx, "users", "42", map[string]string{"name": "Ada King"}, &patched); err != nil {
		t.Fatal(err)
	}
	if patched["name"] != "Ada King" {
		t.Errorf("Patch returned %v", patched)
	}
	if c.Cached("users", "42") {
		t.Error("users/42 still cached after a write")
	}
	var got map[string]any
	if err := c.Get(ctx, "users", "42", &got); err != nil || got["name"] != "Ada King" {
		t.Fatalf("Get after Patch: %v, %v", got, err)
	}
	if reqs := e.front.requests("GET", "/api/users/42"); reqs[len(reqs)-1].ifNoneMatch != "" || reqs[len(reqs)-1].status != 200 {
		t.Errorf("last GET = %+v, want a plain 200", reqs[len(reqs)-1])
	}
}

// 308 is followed and remembered: the seeds' /api/promotions/current leads
// to the live promotion, and the second read goes there directly.
func TestFollowsAndRemembersMoves(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.client()
	for range 2 {
		var promo map[string]any
		if err := c.Get(ctx, "promotions", "current", &promo); err != nil {
			t.Fatal(err)
		}
		if promo["name"] != "Winter Sale 2026" {
			t.Errorf("promotion = %v, want the winter sale", promo)
		}
	}
	e.count("GET", "/api/promotions/current", 1)
	e.count("GET", "/api/promotions/winter-sale-2026", 2)

	// A Move through the client is remembered at once.
	admin := e.admin()
	if _, err := admin.Move(ctx, "users", "42", "ada"); err != nil {
		t.Fatal(err)
	}
	if err := admin.Get(ctx, "users", "42", nil); err != nil {
		t.Fatal(err)
	}
	e.count("GET", "/api/users/42", 0)
	e.count("GET", "/api/users/ada", 1)
}

// Sunset and Deprecation reach the callback on every read that carries
// them.
func TestNoticeCallback(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	dep := testNow.Add(-time.Hour)
	if _, err := e.admin().SetLifecycle(ctx, "promotions", "winter-sale-2026", client.LifecycleChange{DeprecatedAt: client.SetTo(dep)}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []client.Notice
	c := e.client(client.WithNotice(func(n client.Notice) { mu.Lock(); got = append(got, n); mu.Unlock() }))
	for range 2 {
		if err := c.Get(ctx, "promotions", "winter-sale-2026", nil); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 2 {
		t.Fatalf("notices = %d, want 2", len(got))
	}
	if n := got[0]; !n.Sunset.Equal(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)) || !n.Deprecation.Equal(dep) || !strings.Contains(n.Link, `rel="sunset"`) {
		t.Errorf("notice = %+v, want the sunset 2027-03-01, deprecation %v and a sunset link", n, dep)
	}
}

// By default a notice is logged once per URL.
func TestNoticeLoggedOnce(t *testing.T) {
	e := newEnv(t)
	var buf bytes.Buffer
	c := e.client(client.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	for range 3 {
		if err := c.Get(context.Background(), "promotions", "winter-sale-2026", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(buf.String(), "sunset="); n != 1 {
		t.Errorf("log has %d notices, want 1:\n%s", n, buf.String())
	}
}

// WithCache(0) turns caching off: every read is a plain request.
func TestCacheOff(t *testing.T) {
	e := newEnv(t)
	c := e.client(client.WithCache(0), client.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	for range 2 {
		c.Get(context.Background(), "users", "42", nil)
		c.Get(context.Background(), "users", "999", nil)
	}
	for _, r := range e.front.requests("GET", "/api/users/42") {
		if r.ifNoneMatch != "" {
			t.Errorf("request %+v revalidates with caching off", r)
		}
	}
	e.count("GET", "/api/users/999", 2)
}
