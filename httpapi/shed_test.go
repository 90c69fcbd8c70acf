package httpapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone/answer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// shedServer serves a handler that holds every /api request until release
// is closed, behind the limiter.
func shedServer(t *testing.T, sh Shedding) (url string, s *server, entered chan struct{}, release chan struct{}) {
	t.Helper()
	s = &server{log: slog.New(slog.NewTextHandler(io.Discard, nil)), metrics: newHTTPMetrics(prometheus.NewRegistry())}
	WithShedding(sh)(s)
	entered, release = make(chan struct{}, 16), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		w.Write([]byte("done"))
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	mux.Handle("/metrics", s.metrics.handler)
	srv := httptest.NewServer(s.shed(mux))
	t.Cleanup(srv.Close)
	return srv.URL, s, entered, release
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// Past the in-flight and queue limits, a request is refused at once with a
// 503 problem and Retry-After: 1, counted; health, readiness and metrics
// still answer.
func TestShedAtOnceWhenFull(t *testing.T) {
	url, s, entered, release := shedServer(t, Shedding{MaxInFlight: 1, MaxQueue: 0, QueueWait: time.Hour})
	var wg sync.WaitGroup
	wg.Go(func() { get(t, url+"/api/users/1") })
	<-entered // the one slot is taken

	resp, body := get(t, url+"/api/users/2")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("over the limit: %d Retry-After %q, want 503 and 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q, want a problem", ct)
	}
	var p answer.Problem
	if err := json.Unmarshal([]byte(body), &p); err != nil || p.Status != 503 || p.RetryAfter != 1 || p.Detail == "" {
		t.Errorf("body = %s (%v), want a 503 problem with retryAfter 1", body, err)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	for _, path := range []string{"/healthz", "/metrics"} {
		if resp, _ := get(t, url+path); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s while full: %d, want 200 (never shed)", path, resp.StatusCode)
		}
	}
	if n := testutil.ToFloat64(s.metrics.shedTotal); n != 1 {
		t.Errorf("gone_http_shed_total = %v, want 1", n)
	}
	_, m := get(t, url+"/metrics")
	if !strings.Contains(m, "gone_http_shed_total 1") {
		t.Errorf("/metrics does not show the shed request")
	}
	close(release)
	wg.Wait()
	if resp, _ := get(t, url+"/api/users/3"); resp.StatusCode != http.StatusOK {
		t.Errorf("after the slot freed: %d, want 200", resp.StatusCode)
	}
}

// A request that finds the slots taken waits its turn in the queue, first
// come first served, and is answered when a slot frees in time.
func TestQueuedRequestIsServedInTurn(t *testing.T) {
	url, s, entered, release := shedServer(t, Shedding{MaxInFlight: 1, MaxQueue: 1, QueueWait: time.Hour})
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	wg.Go(func() { r, _ := get(t, url+"/api/a"); codes <- r.StatusCode })
	<-entered
	wg.Go(func() { r, _ := get(t, url+"/api/b"); codes <- r.StatusCode })
	// b waits in the queue; a third finds the queue full.
	deadline := time.Now().Add(10 * time.Second)
	for s.limit.waiting.Load() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("b never queued")
		}
		time.Sleep(time.Millisecond)
	}
	if resp, _ := get(t, url+"/api/c"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("with the queue full: %d, want 503", resp.StatusCode)
	}
	close(release)
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusOK {
			t.Errorf("status %d, want 200 for the running and the queued request", c)
		}
	}
}

// A queued request that waits longer than QueueWait is refused, not left
// to time out.
func TestQueueWaitIsBounded(t *testing.T) {
	url, _, entered, release := shedServer(t, Shedding{MaxInFlight: 1, MaxQueue: 8, QueueWait: 5 * time.Millisecond})
	var wg sync.WaitGroup
	wg.Go(func() { get(t, url+"/api/a") })
	<-entered
	resp, _ := get(t, url+"/api/b")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("after waiting past QueueWait: %d, want 503 with Retry-After: 1", resp.StatusCode)
	}
	close(release)
	wg.Wait()
}
