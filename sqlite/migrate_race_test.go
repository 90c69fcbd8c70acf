package sqlite

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const openEnv = "GONE_SQLITE_OPEN_DB"

// TestOpenRacesOnNewFile starts many processes at once on database files
// that do not exist yet, as `gone serve` beside examples/shopapi does: every
// one must open the file, and the schema must end at the newest version
// with each step run once.
func TestOpenRacesOnNewFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	const files, procs = 4, 6
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan string, files*procs)
	for f := range files {
		path := filepath.Join(dir, fmt.Sprintf("race%d.db", f))
		for range procs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), openEnv+"="+path)
				if out, err := cmd.CombinedOutput(); err != nil {
					errs <- fmt.Sprintf("open %s: %v: %s", filepath.Base(path), err, strings.TrimSpace(string(out)))
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}

	names, err := migrationNames()
	if err != nil {
		t.Fatal(err)
	}
	for f := range files {
		path := filepath.Join(dir, fmt.Sprintf("race%d.db", f))
		s, err := Open(context.Background(), path)
		if err != nil {
			t.Fatalf("reopen %s: %v", path, err)
		}
		var v int
		if err := s.r.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if v != len(names) {
			t.Errorf("%s: user_version = %d, want %d", filepath.Base(path), v, len(names))
		}
	}
}

// openChild opens the store at path once and exits: 0 if it opened.
func openChild(path string) {
	s, err := Open(context.Background(), path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}
