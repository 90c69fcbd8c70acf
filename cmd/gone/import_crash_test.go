package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/sqlite"
)

// An import of 50,000 lines whose server is killed with kill -9 half-way
// finishes when run again, and nothing is doubled: every id has exactly
// one create in the audit log, and no row is lost or written twice.
func TestImportSurvivesKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	const rows = 50000
	dir := t.TempDir()
	file := filepath.Join(dir, "rows.jsonl")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range rows {
		fmt.Fprintf(w, `{"id":"r%d","data":{"n":%d,"name":"Row %d"}}`+"\n", i, i, i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	db := filepath.Join(dir, "import.db")
	cmd, base := startServe(t, db)
	importOnce := func(base string) result {
		s := &cliServer{t: t}
		return s.goneEnv(map[string]string{"GONE_URL": base, "GONE_TOKEN": "crash-token"}, "",
			"import", "--collection", "promotions", "--batch-size", "1000", file)
	}
	done := make(chan result, 1)
	go func() { done <- importOnce(base) }()
	// Kill the server once a good part of the file is in, not all of it.
	deadline := time.Now().Add(time.Minute)
	for !committed(base, "r10000") {
		if time.Now().After(deadline) {
			t.Fatal("line 10000 was not written within a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	first := <-done
	first.want(t, "interrupted import", exitFailed, "run the same command again to finish")

	cmd, base = startServe(t, db)
	second := importOnce(base)
	second.want(t, "import run again", exitOK, "0 failed")
	var created, replaced, unchanged, failed int
	if _, err := fmt.Sscanf(second.stdout, "50000 lines: %d created, %d replaced, %d unchanged, %d failed", &created, &replaced, &unchanged, &failed); err != nil {
		t.Fatalf("summary %q: %v", second.stdout, err)
	}
	if replaced != 0 || unchanged < 10000 || created+unchanged != rows {
		t.Errorf("second run: %d created, %d replaced, %d unchanged; want the first run's rows unchanged and the rest created", created, replaced, unchanged)
	}
	t.Logf("killed after %d rows were committed; the second run created %d", unchanged, created)
	cmd.Process.Kill()
	cmd.Wait()

	store, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	evs, err := store.Audit(context.Background(), gone.AuditQuery{Collection: "promotions"})
	if err != nil {
		t.Fatal(err)
	}
	creates := map[string]int{}
	for _, ev := range evs {
		if strings.HasPrefix(ev.ID, "r") {
			if ev.Action != gone.ActionCreate {
				t.Fatalf("audit event %+v: want only creates", ev)
			}
			creates[ev.ID]++
		}
	}
	if len(creates) != rows {
		t.Errorf("%d ids were created, want %d", len(creates), rows)
	}
	for id, n := range creates {
		if n != 1 {
			t.Errorf("%s was created %d times", id, n)
		}
	}
	for _, id := range []string{"r0", "r25000", "r49999"} {
		rec, err := store.Get(context.Background(), "promotions", id)
		if err != nil || rec.Version != 1 {
			t.Errorf("%s: %+v, %v; want version 1", id, rec, err)
		}
	}
}

// committed reports whether id answers 200 on the server at base.
func committed(base, id string) bool {
	resp, err := http.Get(base + "/api/promotions/" + id)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
