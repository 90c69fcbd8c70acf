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

// Network errors are retried where a second send is safe: a PUT with a
// precondition (If-None-Match: * here) or a DELETE. A PUT without one is
// not: it could overwrite a write made after the first attempt landed.
func TestRetryNetworkError(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.front.inject("PUT", "/api/users/77", fault{drop: true}, fault{drop: true})
	created, err := e.admin().Put(ctx, "users", "77", map[string]string{"name": "Bo"}, nil, client.IfNoneMatch("*"))
	if err != nil || !created {
		t.Fatalf("Put: created=%v err=%v, want created after two dropped connections", created, err)
	}
	e.count("PUT", "/api/users/77", 3)

	e.front.inject("DELETE", "/api/users/77", fault{status: 503, retryAfter: "1"})
	if _, err := e.admin().Delete(ctx, "users", "77", client.DeleteOptions{}); err != nil {
		t.Fatalf("Delete after a 503: %v", err)
	}
	e.count("DELETE", "/api/users/77", 2)

	e.front.inject("PUT", "/api/users/78", fault{drop: true})
	if _, err := e.admin().Put(ctx, "users", "78", map[string]string{"name": "Cy"}, nil); err == nil {
		t.Fatal("Put without a precondition over a dropped connection succeeded, want an error")
	}
	e.front.inject("PUT", "/api/users/78", fault{status: 503, retryAfter: "1"})
	if _, err := e.admin().Put(ctx, "users", "78", map[string]string{"name": "Cy"}, nil); !errors.Is(err, client.ErrUnavailable) {
		t.Fatalf("Put without a precondition after a 503: %v, want ErrUnavailable", err)
	}
	e.count("PUT", "/api/users/78", 2)
}

// A Retry-After too large for a Duration is neither slept nor overflowed
// into a negative wait (a retry storm): the caller gets the 503 at once.
func TestHugeRetryAfter(t *testing.T) {
	e := newEnv(t)
	e.front.inject("GET", "/api/users/42", fault{status: 503, retryAfter: "10000000000"})
	err := e.client().Get(context.Background(), "users", "42", nil)
	var ue *client.Error
	if !errors.As(err, &ue) || !errors.Is(err, client.ErrUnavailable) || ue.RetryAfter <= 24*time.Hour {
		t.Fatalf("err = %v, want ErrUnavailable with a long positive RetryAfter", err)
	}
	e.count("GET", "/api/users/42", 1)
	if w := e.sleep.Waits(); len(w) != 0 {
		t.Errorf("waits = %v, want none", w)
	}
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
