package main

import (
	"bufio"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// listenAddr reads a server's output up to its "listening on http://HOST:PORT"
// line and returns HOST:PORT, or "" when the output ends first. The rest
// is drained, so the server never blocks writing it.
func listenAddr(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "listening on http://"); ok {
			go func() {
				for sc.Scan() {
				}
			}()
			return a
		}
	}
	return ""
}

// startProcess starts a server process, kills it when the test ends, and
// returns the HOST:PORT it listens on.
func startProcess(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := listenAddr(out)
	if addr == "" {
		t.Fatalf("%s never said where it listens", cmd.Path)
	}
	return addr
}
