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
// 503, 429 and network errors are retried for requests that are safe to
// send again: GET, HEAD, DELETE, and a PUT with If-Match or If-None-Match
// (a retry of a PUT that did land then fails its precondition instead of
// overwriting a write made since). Any other write (POST, PATCH, a PUT
// without a precondition) is retried only when the server certainly did not
// act on it: a 429, or a connection that was never made. 410 is never
// retried, whatever the policy says.
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

// safeToRepeat reports whether sending req again cannot do harm even if the
// first attempt reached the store.
func safeToRepeat(req *request) bool {
	switch req.method {
	case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodOptions:
		return true
	case http.MethodPut:
		return req.header.Get("If-Match") != "" || req.header.Get("If-None-Match") != ""
	}
	return false
}

// retryable reports whether an attempt's outcome may be retried, before
// counting attempts or time.
func (p RetryPolicy) retryable(req *request, resp *response, err error) bool {
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return false
		}
		return safeToRepeat(req) || neverConnected(err)
	}
	switch resp.status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusServiceUnavailable:
		return safeToRepeat(req)
	case http.StatusNotFound:
		return p.NotFound && safeToRepeat(req) && (req.method == http.MethodGet || req.method == http.MethodHead)
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
