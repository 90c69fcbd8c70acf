package client_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/client"
)

// A 410 id is requested exactly once, however many times (and from however
// many goroutines, after the first answer) it is read.
func TestGoneRequestedOnce(t *testing.T) {
	e := newEnv(t)
	var hooks atomic.Int32
	c := e.client(client.WithOnGone(func(coll, id string, err *client.Error) {
		hooks.Add(1)
		if coll != "users" || id != "123" || !errors.Is(err, client.ErrGone) {
			t.Errorf("OnGone(%q, %q, %v), want users/123 and a gone error", coll, id, err)
		}
	}))
	ctx := context.Background()
	err := c.Get(ctx, "users", "123", nil)
	var ge *client.Error
	if !errors.As(err, &ge) || !errors.Is(err, client.ErrGone) {
		t.Fatalf("Get users/123: err = %v, want a gone *client.Error", err)
	}
	if want := time.Date(2026, 1, 5, 10, 30, 0, 0, time.UTC); !ge.DeletedAt.Equal(want) {
		t.Errorf("DeletedAt = %v, want %v", ge.DeletedAt, want)
	}
	if ge.Reason != "User requested account deletion" || ge.Local {
		t.Errorf("Reason = %q, Local = %v; want the seed's reason from the network", ge.Reason, ge.Local)
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			err := c.Get(ctx, "users", "123", nil)
			var le *client.Error
			if !errors.As(err, &le) || !le.Local || !errors.Is(err, client.ErrGone) || le.Reason == "" {
				t.Errorf("later Get: err = %v, want the remembered 410", err)
			}
		})
	}
	wg.Wait()
	e.count("GET", "/api/users/123", 1)
	if n := hooks.Load(); n != 1 {
		t.Errorf("OnGone ran %d times, want 1", n)
	}
	if err := c.Head(ctx, "users", "123"); !errors.Is(err, client.ErrGone) {
		t.Errorf("Head after 410: err = %v, want ErrGone", err)
	}
	e.count("HEAD", "/api/users/123", 0)
}

// A 410 is never retried, even under a policy that retries everything it
// may.
func TestGoneNeverRetried(t *testing.T) {
	e := newEnv(t)
	p := client.DefaultRetryPolicy()
	p.NotFound, p.Attempts = true, 10
	c := e.client(client.WithRetry(p))
	err := c.Get(context.Background(), "promotions", "summer-sale-2025", nil)
	var ge *client.Error
	if !errors.As(err, &ge) || ge.Status != 410 {
		t.Fatalf("err = %v, want 410", err)
	}
	if ge.Alternative != "/api/promotions/current" || !ge.ExpiredAt.Equal(time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Alternative = %q, ExpiredAt = %v; want the seed's", ge.Alternative, ge.ExpiredAt)
	}
	e.count("GET", "/api/promotions/summer-sale-2025", 1)
	if w := e.sleep.Waits(); len(w) != 0 {
		t.Errorf("client waited %v before a 410, want no waits", w)
	}
}

// A resource the client had cached is purged when it turns 410: its body
// and validators are never served again.
func TestGonePurgesCache(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var purged []string
	c := e.client(client.WithOnGone(func(coll, id string, _ *client.Error) { purged = append(purged, coll+"/"+id) }))
	var user map[string]any
	if err := c.Get(ctx, "users", "42", &user); err != nil {
		t.Fatal(err)
	}
	if !c.Cached("users", "42") {
		t.Fatal("users/42 was not cached after a 200 with an ETag")
	}
	// Someone else deletes it for good, behind this client's back.
	if _, err := e.svc.Delete(ctx, gone.Caller{Name: "ops", Scopes: []gone.Scope{gone.ScopeAdmin}}, "users", "42", gone.DeleteOptions{Permanent: true, Reason: "user_request"}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, "users", "42", &user); !errors.Is(err, client.ErrGone) {
		t.Fatalf("Get after delete: err = %v, want ErrGone", err)
	}
	if c.Cached("users", "42") {
		t.Error("the representation of a gone id is still cached")
	}
	if len(purged) != 1 || purged[0] != "users/42" {
		t.Errorf("OnGone saw %v, want [users/42]", purged)
	}
	reqs := e.front.requests("GET", "/api/users/42")
	if len(reqs) != 2 || reqs[1].ifNoneMatch == "" {
		t.Errorf("requests = %+v, want a revalidation that got the 410", reqs)
	}
}

// Gone memory is bounded: the least recently read id is forgotten and
// costs one more request.
func TestGoneMemoryBounded(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.client(client.WithGoneMemory(1))
	for _, p := range [][2]string{{"users", "123"}, {"promotions", "summer-sale-2025"}, {"users", "123"}} {
		if err := c.Get(ctx, p[0], p[1], nil); !errors.Is(err, client.ErrGone) {
			t.Fatalf("Get %s: err = %v, want ErrGone", p, err)
		}
	}
	e.count("GET", "/api/users/123", 2)
}
