package sqlite

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gonehttp/gone"
)

const crashEnv = "GONE_SQLITE_CRASH_DB"

// TestCrashKeepsAcknowledgedWrites checks invariant 5 of docs/design.md with a
// real kill -9: a child process writes records and reports each one after
// Update returns; the parent kills it mid-stream, reopens the file and
// finds every reported record.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	acked := -1
	sc := bufio.NewScanner(out)
	for sc.Scan() && acked < 200 {
		if n, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
			acked, _ = strconv.Atoi(n)
		}
	}
	// SIGKILL: no deferred Close, no final checkpoint.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill child: %v", err)
	}
	_ = cmd.Wait()
	if acked < 0 {
		t.Fatal("child acknowledged no write")
	}

	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("reopen after kill -9: %v", err)
	}
	defer s.Close()
	for i := 0; i <= acked; i++ {
		r, err := s.Get(context.Background(), "crash", strconv.Itoa(i))
		if err != nil {
			t.Fatalf("record %d was acknowledged before the kill but reads %v after reopen (acked up to %d)", i, err, acked)
		}
		if want := fmt.Sprintf(`{"n":%d}`, i); string(r.Data) != want {
			t.Fatalf("record %d: Data = %s, want %s", i, r.Data, want)
		}
	}
}

// TestMain turns the test binary into the crash child when
// TestCrashKeepsAcknowledgedWrites starts it, and into the opening child of
// TestOpenRacesOnNewFile.
func TestMain(m *testing.M) {
	if path := os.Getenv(crashEnv); path != "" {
		crashChild(path)
	}
	if path := os.Getenv(openEnv); path != "" {
		openChild(path)
	}
	os.Exit(m.Run())
}

// crashChild writes records forever, printing "ack N" after each Update
// returns, until it is killed.
func crashChild(path string) {
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		err := s.Update(ctx, func(tx gone.Tx) error {
			return tx.Put(ctx, &gone.Record{Collection: "crash", ID: strconv.Itoa(i), Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)), Version: 1})
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("ack %d\n", i)
	}
}
