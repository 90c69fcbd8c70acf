package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"time"
)

// RetryPolicy says when and how long the client retries.
//
// 503, 429 and network errors are retried for idempotent requests (GET,
// HEAD, PUT, DELETE). A non-idempotent request (POST, PATCH) is retried
// only when the server certainly did not act on it: a 429, or a connection
// that was never made. 410 is never retried, whatever the policy says.
type RetryPolicy struct {
	// Attempts is the most requests one call sends, retries included; 1
	// turns retries off.
	Attempts int
	// BaseDelay is the first backoff delay; each retry doubles it, up to
	// MaxDelay, and jitter picks a delay between half and all of it.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits out; a
	// server asking for longer (a maintenance window) gets the error back
	// at once, with its RetryAfter, for the caller to decide.
	MaxRetryAfter time.Duration
	// NotFound opts in to retrying 404 with backoff, for the seeds' "it
	// may come back later". Off by default: most 404s are wrong ids.
	NotFound bool
}

// DefaultRetryPolicy is 4 attempts, 100ms doubling to at most 5s, and
// Retry-After honoured up to 30s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{Attempts: 4, BaseDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second, MaxRetryAfter: 30 * time.Second}
}

func randFloat() float64 { return rand.Float64() }

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// retryable reports whether an attempt's outcome may be retried, before
// counting attempts or time.
func (p RetryPolicy) retryable(method string, resp *response, err error) bool {
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return false
		}
		return idempotent(method) || neverConnected(err)
	}
	switch resp.status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusServiceUnavailable:
		return idempotent(method)
	case http.StatusNotFound:
		return p.NotFound && idempotent(method)
	}
	// 410 and everything else is final.
	return false
}

// neverConnected reports a dial failure: the request never left, so even
// a POST may be sent again.
func neverConnected(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// backoff is the jittered delay before retry n (1 for the first retry).
func (p RetryPolicy) backoff(n int, jitter float64) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	if p.MaxDelay > 0 {
		d = min(d, p.MaxDelay)
	}
	// "Equal jitter": half fixed, half random, so clients that failed
	// together do not retry together, yet each still waits a while.
	return d/2 + time.Duration(jitter*float64(d/2))
}
