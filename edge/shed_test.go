package edge

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone/answer"
)

// shedCounts counts what the edge reports, as metrics.HTTP would.
type shedCounts struct {
	mu       sync.Mutex
	shed     int
	statuses map[string][]int
}

func (c *shedCounts) Request(route string, status int, _ time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.statuses[route] = append(c.statuses[route], status)
}

func (c *shedCounts) Shed() { c.mu.Lock(); c.shed++; c.mu.Unlock() }

// shedServer serves, through the edge's Handler with shedding, a handler
// that holds every /api request until release is closed; /healthz is never
// shed.
func shedServer(t *testing.T, sh Shedding) (url string, l *limiter, counts *shedCounts, entered chan struct{}, release chan struct{}) {
	t.Helper()
	entered, release = make(chan struct{}, 16), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		w.Write([]byte("done"))
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	counts = &shedCounts{statuses: map[string][]int{}}
	cfg := Config{Metrics: counts, Shedding: sh, Unshed: func(r *http.Request) bool { return r.URL.Path == "/healthz" }}.withDefaults()
	l = newLimiter(sh, time.Now)
	srv := httptest.NewServer(observe(shedWith(mux, cfg, l), cfg))
	t.Cleanup(srv.Close)
	return srv.URL, l, counts, entered, release
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
	url, _, counts, entered, release := shedServer(t, Shedding{MaxInFlight: 1, MaxQueue: 0, QueueWait: time.Hour})
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
	if resp, _ := get(t, url+"/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz while full: %d, want 200 (never shed)", resp.StatusCode)
	}
	counts.mu.Lock()
	if counts.shed != 1 || !slices.Contains(counts.statuses["none"], http.StatusServiceUnavailable) {
		t.Errorf("counted %d shed and statuses %v, want 1 shed and a 503 counted", counts.shed, counts.statuses)
	}
	counts.mu.Unlock()
	close(release)
	wg.Wait()
	if resp, _ := get(t, url+"/api/users/3"); resp.StatusCode != http.StatusOK {
		t.Errorf("after the slot freed: %d, want 200", resp.StatusCode)
	}
}

// A request that finds the slots taken waits its turn in the queue, first
// come first served, and is answered when a slot frees in time.
func TestQueuedRequestIsServedInTurn(t *testing.T) {
	url, l, _, entered, release := shedServer(t, Shedding{MaxInFlight: 1, MaxQueue: 1, QueueWait: time.Hour})
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	wg.Go(func() { r, _ := get(t, url+"/api/a"); codes <- r.StatusCode })
	<-entered
	wg.Go(func() { r, _ := get(t, url+"/api/b"); codes <- r.StatusCode })
	// b waits in the queue; a third finds the queue full.
	deadline := time.Now().Add(10 * time.Second)
	for l.waiting.Load() != 1 {
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
	url, _, _, entered, release := shedServer(t, Shedding{MaxInFlight: 1, MaxQueue: 8, QueueWait: 5 * time.Millisecond})
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
