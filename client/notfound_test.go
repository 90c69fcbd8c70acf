package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gonehttp/gone/client"
)

// A 404 is not retried by default, and is reused for the server's max-age
// (60s for users in the demo), never longer.
func TestNotFoundNegativeCache(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.client()
	err := c.Get(ctx, "users", "999", nil)
	var ne *client.Error
	if !errors.As(err, &ne) || !errors.Is(err, client.ErrNotFound) || errors.Is(err, client.ErrGone) {
		t.Fatalf("Get users/999: err = %v, want ErrNotFound only", err)
	}
	if ne.Message != "User with ID 999 does not exist" || ne.ErrorName != "Not Found" {
		t.Errorf("error, message = %q, %q; want the seed's", ne.ErrorName, ne.Message)
	}
	e.count("GET", "/api/users/999", 1)

	e.clock.Add(59 * time.Second)
	if err := c.Get(ctx, "users", "999", nil); !errors.As(err, &ne) || !ne.Local || !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("Get within max-age: err = %v, want the cached 404", err)
	}
	e.count("GET", "/api/users/999", 1)

	e.clock.Add(time.Second)
	if err := c.Get(ctx, "users", "999", nil); !errors.As(err, &ne) || ne.Local {
		t.Fatalf("Get at max-age: err = %v, want a fresh 404 from the server", err)
	}
	e.count("GET", "/api/users/999", 2)
	if w := e.sleep.Waits(); len(w) != 0 {
		t.Errorf("waits = %v, want none: 404 is not retried by default", w)
	}
}

// A 404 that turns into a resource is seen as soon as the client writes it.
func TestNotFoundForgottenOnWrite(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.admin()
	if err := c.Get(ctx, "users", "500", nil); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if _, err := c.Put(ctx, "users", "500", map[string]string{"name": "New"}, nil); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := c.Get(ctx, "users", "500", &got); err != nil || got["name"] != "New" {
		t.Fatalf("Get after Put: %v, %v; want the new user", got, err)
	}
}

// The opt-in policy retries a 404 with growing backoff, for "it may come
// back later".
func TestNotFoundRetryOptIn(t *testing.T) {
	e := newEnv(t)
	p := client.DefaultRetryPolicy()
	p.NotFound = true
	c := e.client(client.WithRetry(p))
	if err := c.Get(context.Background(), "users", "999", nil); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	e.count("GET", "/api/users/999", p.Attempts)
	// Jitter is fixed at 0.5: each wait is 3/4 of 100ms, 200ms, 400ms.
	want := []time.Duration{75 * time.Millisecond, 150 * time.Millisecond, 300 * time.Millisecond}
	if got := e.sleep.Waits(); !equalDurations(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
}

// A mistyped collection gets the server's suggestion.
func TestNotFoundSuggestion(t *testing.T) {
	e := newEnv(t)
	err := e.client().Get(context.Background(), "usres", "123", nil)
	var ne *client.Error
	if !errors.As(err, &ne) || ne.Status != 404 {
		t.Fatalf("err = %v, want 404", err)
	}
	if ne.Suggestion != "/api/users/123" {
		t.Errorf("Suggestion = %q, want /api/users/123", ne.Suggestion)
	}
	if want := "The requested endpoint does not exist. Did you mean /api/users/123?"; ne.Message != want {
		t.Errorf("Message = %q, want %q", ne.Message, want)
	}
}

// With WithLanguage("es") the problem texts are the Spanish seed's.
func TestLanguage(t *testing.T) {
	e := newEnv(t)
	err := e.client(client.WithLanguage("es")).Get(context.Background(), "users", "123", nil)
	var ge *client.Error
	if !errors.As(err, &ge) || ge.Reason != "El usuario solicitó la eliminación de la cuenta" || ge.ErrorName != "Eliminado" {
		t.Errorf("err = %v (reason %q), want the Spanish seed's 410", err, ge.Reason)
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
