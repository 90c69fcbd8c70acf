package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gonehttp/gone/client"
)

// 503 and 429 on a GET are retried, waiting what Retry-After says, in
// seconds or as an HTTP-date.
func TestRetryHonoursRetryAfter(t *testing.T) {
	e := newEnv(t)
	date := testNow.Add(7 * time.Second).Format(http.TimeFormat)
	e.front.inject("GET", "/api/users/42",
		fault{status: 503, retryAfter: "2"},
		fault{status: 429, retryAfter: date},
		fault{status: 503})
	var user map[string]any
	if err := e.client().Get(context.Background(), "users", "42", &user); err != nil {
		t.Fatalf("Get: %v, want success after three faults", err)
	}
	if user["name"] != "Ada Lovelace" {
		t.Errorf("user = %v", user)
	}
	e.count("GET", "/api/users/42", 4)
	// The third fault has no Retry-After: backoff, 3/4 of 400ms.
	want := []time.Duration{2 * time.Second, 7 * time.Second, 300 * time.Millisecond}
	if got := e.sleep.Waits(); !equalDurations(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
}

// Retries stop after Attempts, with the last answer as the error.
func TestRetryBoundedByAttempts(t *testing.T) {
	e := newEnv(t)
	for range 10 {
		e.front.inject("GET", "/api/users/42", fault{status: 503, retryAfter: "1"})
	}
	err := e.client().Get(context.Background(), "users", "42", nil)
	var ue *client.Error
	if !errors.As(err, &ue) || !errors.Is(err, client.ErrUnavailable) || ue.RetryAfter != time.Second {
		t.Fatalf("err = %v, want ErrUnavailable with RetryAfter 1s", err)
	}
	e.count("GET", "/api/users/42", client.DefaultRetryPolicy().Attempts)
}

// A wait that would outlast the context's deadline is not started: the
// caller gets the answer at once.
func TestRetryBoundedByDeadline(t *testing.T) {
	e := newEnv(t)
	e.front.inject("GET", "/api/users/42", fault{status: 503, retryAfter: "20"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.client().Get(ctx, "users", "42", nil); !errors.Is(err, client.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	e.count("GET", "/api/users/42", 1)
	if w := e.sleep.Waits(); len(w) != 0 {
		t.Errorf("waits = %v, want none", w)
	}
}

// A resource in a maintenance window answers 503 with a Retry-After longer
// than the client waits: the caller gets it at once, with RetryAfter.
func TestUnavailableResource(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.admin()
	if _, err := admin.SetLifecycle(ctx, "users", "42", client.LifecycleChange{UnavailableUntil: client.SetTo(testNow.Add(time.Hour))}); err != nil {
		t.Fatal(err)
	}
	err := e.client().Get(ctx, "users", "42", nil)
	var ue *client.Error
	if !errors.As(err, &ue) || !errors.Is(err, client.ErrUnavailable) || ue.RetryAfter != time.Hour {
		t.Fatalf("err = %v, want ErrUnavailable with RetryAfter 1h", err)
	}
	e.count("GET", "/api/users/42", 1)
}

// Network errors on an idempotent request are retried.
func TestRetryNetworkError(t *testing.T) {
	e := newEnv(t)
	e.front.inject("PUT", "/api/users/77", fault{drop: true}, fault{drop: true})
	created, err := e.admin().Put(context.Background(), "users", "77", map[string]string{"name": "Bo"}, nil)
	if err != nil || !created {
		t.Fatalf("Put: created=%v err=%v, want created after two dropped connections", created, err)
	}
	e.count("PUT", "/api/users/77", 3)
}

// A non-idempotent request is not retried blindly: a dropped connection
// or a 503 may have come after the server acted.
func TestNoBlindRetryOfPost(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.admin()
	e.front.inject("POST", "/api/users/42/move", fault{drop: true})
	if _, err := admin.Move(ctx, "users", "42", "43"); err == nil {
		t.Fatal("Move over a dropped connection succeeded, want an error")
	}
	e.count("POST", "/api/users/42/move", 1)

	e.front.inject("POST", "/api/users/42/move", fault{status: 503, retryAfter: "1"})
	if _, err := admin.Move(ctx, "users", "42", "43"); !errors.Is(err, client.ErrUnavailable) {
		t.Fatalf("Move: err = %v, want ErrUnavailable", err)
	}
	e.count("POST", "/api/users/42/move", 2)

	// 429 says the server did not act: that one is retried.
	e.front.inject("POST", "/api/users/42/move", fault{status: 429, retryAfter: "1"})
	if _, err := admin.Move(ctx, "users", "42", "43"); err != nil {
		t.Fatalf("Move after 429: %v", err)
	}
	e.count("POST", "/api/users/42/move", 4)
}
