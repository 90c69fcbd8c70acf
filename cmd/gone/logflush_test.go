package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLogServeProcess is not a test: TestSIGTERMKeepsEveryLogLine runs the
// test binary again with GONE_TEST_LOG_DB set, and this function becomes a
// real `gone serve` process, configured by its environment.
func TestLogServeProcess(t *testing.T) {
	db := os.Getenv("GONE_TEST_LOG_DB")
	if db == "" {
		t.Skip("helper process for TestSIGTERMKeepsEveryLogLine")
	}
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--demo"}, os.Getenv, nil, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve returned:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// The access log is buffered off the request's path, yet every request
// reaches it: SIGTERM flushes what the timer has not written yet.
func TestSIGTERMKeepsEveryLogLine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	dir := t.TempDir()
	logPath := filepath.Join(dir, "stderr.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLogServeProcess$")
	// A flush interval no test outlives: only shutdown can write the lines.
	cmd.Env = append(os.Environ(), "GONE_TEST_LOG_DB="+filepath.Join(dir, "gone.db"),
		"GONE_ADMIN_TOKEN=log-token", "GONE_LOG_FLUSH=1h", "GONE_LOG_LEVEL=info")
	cmd.Stderr = logFile
	base := "http://" + startProcess(t, cmd)

	const n = 100
	client := &http.Client{Timeout: 5 * time.Second}
	for i := range n {
		req, _ := http.NewRequest("GET", base+"/api/users/42", nil)
		req.Header.Set("X-Request-Id", fmt.Sprintf("logtest-%03d", i))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	before, _ := os.ReadFile(logPath)
	if strings.Count(string(before), "logtest-") == n {
		t.Fatalf("every line was written before shutdown: the log is not buffered")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v", err)
	}
	after, _ := os.ReadFile(logPath)
	for i := range n {
		if id := fmt.Sprintf("request_id=logtest-%03d", i); !strings.Contains(string(after), id) {
			t.Errorf("the log lacks %s after SIGTERM", id)
		}
	}
	if !strings.Contains(string(after), "shutting down") {
		t.Errorf("the log lacks the shutdown line")
	}
}
