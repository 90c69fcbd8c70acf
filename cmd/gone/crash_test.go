package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestServeProcess is not a test: TestKillNineKeepsAcknowledgedWrites runs
// the test binary again with GONE_TEST_SERVE_DB set, and this function then
// becomes a real `gone serve` process that can be killed.
func TestServeProcess(t *testing.T) {
	db := os.Getenv("GONE_TEST_SERVE_DB")
	if db == "" {
		t.Skip("helper process for TestKillNineKeepsAcknowledgedWrites")
	}
	getenv := func(k string) string {
		if k == "GONE_ADMIN_TOKEN" {
			return "crash-token"
		}
		return ""
	}
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--demo"}, getenv, nil, os.Stdout, os.Stderr)
	fmt.Fprintln(os.Stderr, "serve returned:", err)
	os.Exit(1)
}

// startServe starts a `gone serve` process over db and returns its base URL.
func startServe(t *testing.T, db string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeProcess$")
	cmd.Env = append(os.Environ(), "GONE_TEST_SERVE_DB="+db)
	return cmd, "http://" + startProcess(t, cmd)
}

// Invariant 5: a write that got a 2xx survives kill -9 and a restart.
func TestKillNineKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	db := filepath.Join(t.TempDir(), "crash.db")
	cmd, base := startServe(t, db)

	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	stop := make(chan struct{})
	client := &http.Client{Timeout: 5 * time.Second}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("w%d-%d", w, i)
				req, _ := http.NewRequest("PUT", base+"/api/promotions/"+id, strings.NewReader(`{"n":1}`))
				req.Header.Set("Authorization", "Bearer crash-token")
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated {
					mu.Lock()
					acked = append(acked, id)
					mu.Unlock()
				}
			}
		}()
	}
	// Kill while writes are in flight, once some have been acknowledged.
	deadline := time.Now().Add(time.Minute)
	for {
		if time.Now().After(deadline) {
			t.Fatal("no 100 acknowledged writes within a minute")
		}
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 100 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	cmd.Wait()

	_, base = startServe(t, db)
	for _, id := range acked {
		resp, err := client.Get(base + "/api/promotions/" + id)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("acknowledged write %s: GET after kill -9 = %d, want 200", id, resp.StatusCode)
		}
	}
	t.Logf("%d acknowledged writes survived kill -9", len(acked))
}
