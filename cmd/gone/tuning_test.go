package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// A tuning variable that is not a number or a duration stops serve with a
// usage error, before it listens: a typo must not silently mean "default".
func TestBadTuningEnvIsAUsageError(t *testing.T) {
	for _, kv := range [][2]string{
		{"GONE_CACHE_ENTRIES", "lots"}, {"GONE_CACHE_ENTRIES", "-1"}, {"GONE_FOLLOW_EVERY", "20"},
		{"GONE_MAX_INFLIGHT", "x"}, {"GONE_MAX_QUEUE", "1.5"}, {"GONE_QUEUE_WAIT", "soon"}, {"GONE_LOG_FLUSH", "-1s"},
	} {
		s := &cliServer{t: t}
		r := s.goneEnv(map[string]string{kv[0]: kv[1]}, "", "serve", "--addr", "127.0.0.1:0", "--db", t.TempDir()+"/gone.db")
		r.want(t, kv[0]+"="+kv[1], 2, kv[0])
	}
}

// serve exposes the read cache's and the shedder's counters: the cache is
// on by default and, over SQLite, trusted once its feed looks.
func TestServeHasCacheAndShedMetrics(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, result := serveInProcess(t, ctx)
	for range 2 {
		resp, err := http.Get("http://" + addr + "/api/users/42")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	_, body := getMetrics(t, "http://"+addr+"/metrics", "ops-token")
	for _, want := range []string{"gone_cache_hits_total", "gone_cache_misses_total", "gone_cache_entries", "gone_http_shed_total 0"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("GET /metrics lacks %q", want)
		}
	}
	cancel()
	if err := <-result; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
