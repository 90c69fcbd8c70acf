package client_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/client"
)

// TestWatchPurges: a client watching the feed drops its cached copy when
// the id is deleted for good elsewhere, and answers the next Get with
// ErrGone without a request; a move is followed without the 308.
func TestWatchPurges(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var (
		mu    sync.Mutex
		goned []string
	)
	c := e.client(client.WithToken(readerToken), client.WithOnGone(func(coll, id string, _ *client.Error) {
		mu.Lock()
		goned = append(goned, coll+"/"+id)
		mu.Unlock()
	}))
	var u map[string]any
	if err := c.Get(ctx, "users", "42", &u); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, "promotions", "winter-sale-2026", &u); err != nil {
		t.Fatal(err)
	}
	if !c.Cached("users", "42") {
		t.Fatal("users/42 not cached after a Get")
	}
	events, _ := e.svc.Audit(ctx, gone.AuditQuery{})
	head := events[len(events)-1].Seq

	wctx, stop := context.WithCancel(ctx)
	defer stop() // a failing test must not leave the stream holding srv.Close
	seen := make(chan client.FeedChange, 10)
	done := make(chan error, 1)
	go func() {
		done <- c.Watch(wctx, client.WatchOptions{Since: head, OnChange: func(ch client.FeedChange) { seen <- ch }})
	}()
	admin := gone.Caller{Name: "admin", Scopes: []gone.Scope{gone.ScopeAdmin}}
	if _, err := e.svc.Delete(ctx, admin, "users", "42", gone.DeleteOptions{Permanent: true, Reason: "user_request"}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Move(ctx, admin, "promotions", "winter-sale-2026", "winter-2026", gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	for want := 3; want > 0; want-- { // gone, moved, created
		select {
		case <-seen:
		case <-time.After(5 * time.Second):
			t.Fatal("no change within 5s")
		}
	}
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Watch after cancel = %v, want context.Canceled", err)
	}

	if c.Cached("users", "42") {
		t.Error("users/42 still cached after the feed said gone")
	}
	before := len(e.front.requests("GET", "/api/users/42"))
	err := c.Get(ctx, "users", "42", &u)
	var ge *client.Error
	if !errors.Is(err, client.ErrGone) || !errors.As(err, &ge) || !ge.Local {
		t.Fatalf("Get after the feed said gone = %v, want a local ErrGone", err)
	}
	if ge.Reason != "User requested account deletion" || ge.Message == "" {
		t.Errorf("local 410: reason %q, message %q", ge.Reason, ge.Message)
	}
	e.count("GET", "/api/users/42", before)
	mu.Lock()
	if len(goned) != 1 || goned[0] != "users/42" {
		t.Errorf("OnGone calls = %v", goned)
	}
	mu.Unlock()
	// The move: the next read goes straight to the new id.
	if err := c.Get(ctx, "promotions", "winter-sale-2026", &u); err != nil {
		t.Fatal(err)
	}
	e.count("GET", "/api/promotions/winter-2026", 1)
	e.count("GET", "/api/promotions/winter-sale-2026", 1)
}

func TestWatchNeedsAToken(t *testing.T) {
	e := newEnv(t)
	err := e.client().Watch(context.Background(), client.WatchOptions{})
	if !errors.Is(err, client.ErrUnauthorized) {
		t.Errorf("Watch without a token = %v, want ErrUnauthorized", err)
	}
}

// TestWatchOnGoneOnce: a client that deletes an id for good while it
// watches the feed hears of it through OnGone once, whether the 410 of its
// own Get or the feed's gone event comes first, and the feed's event
// carries the alternative the 410 gives.
func TestWatchOnGoneOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var (
		mu    sync.Mutex
		goned []string
	)
	c := e.client(client.WithToken(adminToken), client.WithOnGone(func(coll, id string, _ *client.Error) {
		mu.Lock()
		goned = append(goned, coll+"/"+id)
		mu.Unlock()
	}))
	events, _ := e.svc.Audit(ctx, gone.AuditQuery{})
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	seen := make(chan client.FeedChange, 10)
	done := make(chan error, 1)
	go func() {
		done <- c.Watch(wctx, client.WatchOptions{Since: events[len(events)-1].Seq, OnChange: func(ch client.FeedChange) { seen <- ch }})
	}()

	if _, err := c.Delete(ctx, "users", "42", client.DeleteOptions{Permanent: true, Reason: "user_request", Alternative: "/api/users"}); err != nil {
		t.Fatal(err)
	}
	var u map[string]any
	if err := c.Get(ctx, "users", "42", &u); !errors.Is(err, client.ErrGone) {
		t.Fatalf("Get after Delete = %v, want ErrGone", err)
	}
	var ch client.FeedChange
	select {
	case ch = <-seen:
	case <-time.After(5 * time.Second):
		t.Fatal("no change within 5s")
	}
	if ch.Type != "gone" || ch.Alternative != "/api/users" {
		t.Errorf("feed change = %s with alternative %q, want gone with /api/users", ch.Type, ch.Alternative)
	}
	if err := c.Get(ctx, "users", "42", &u); !errors.Is(err, client.ErrGone) {
		t.Fatalf("Get after the feed = %v, want ErrGone", err)
	}
	stop()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(goned) != 1 || goned[0] != "users/42" {
		t.Errorf("OnGone calls = %v, want users/42 once", goned)
	}
}
