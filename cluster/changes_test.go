package cluster_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// watch opens the change feed on in and sends each event's seq and data.
func watch(t *testing.T, in *instance) <-chan [2]string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", in.url+"/api/changes", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("feed on %s: status %d", in.name, resp.StatusCode)
	}
	out := make(chan [2]string, 1000)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var id string
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "id: "); ok {
				id = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok {
				out <- [2]string{id, v}
			}
		}
		close(out)
	}()
	return out
}

// TestChangesReachEveryInstance: two instances over one PostgreSQL, a
// watcher on each, writes racing on both. Every watcher gets every change,
// in the log's order, with no gap: a change made on one instance reaches
// the watchers of the other (by polling the shared log by sequence), and
// no event that commits late under a lower sequence is skipped.
func TestChangesReachEveryInstance(t *testing.T) {
	insts := newCluster(t, 2)
	feeds := []<-chan [2]string{watch(t, insts[0]), watch(t, insts[1])}
	const perWriter = 40
	var wg sync.WaitGroup
	for w := range 4 {
		in := insts[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				path := fmt.Sprintf("/api/promotions/w%d-%d", w, i)
				if code, body := call(t, in, "PUT", path, `{"n":1}`); code != 201 {
					t.Errorf("PUT %s on %s: %d %s", path, in.name, code, body)
				}
			}
		}()
	}
	wg.Wait()
	log, err := insts[0].store.Audit(context.Background(), gone.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 4*perWriter {
		t.Fatalf("audit log holds %d events, want %d", len(log), 4*perWriter)
	}
	for i, feed := range feeds {
		timeout := time.After(10 * time.Second)
		for n, want := range log {
			select {
			case ev, ok := <-feed:
				if !ok {
					t.Fatalf("feed on %s ended after %d events", insts[i].name, n)
				}
				if ev[0] != strconv.FormatInt(want.Seq, 10) || !strings.Contains(ev[1], `"id":"`+want.ID+`"`) {
					t.Fatalf("feed on %s, event %d = %s %s, want seq %d (%s)", insts[i].name, n, ev[0], ev[1], want.Seq, want.ID)
				}
			case <-timeout:
				t.Fatalf("feed on %s: %d of %d events within 10s", insts[i].name, n, len(log))
			}
		}
	}
	// How long a change takes to cross instances (logged, not asserted:
	// it is a measure, bounded by the poll interval, 200 ms by default).
	for i := range 5 {
		start := time.Now()
		path := fmt.Sprintf("/api/promotions/lat%d", i)
		if code, _ := call(t, insts[0], "PUT", path, `{}`); code != 201 {
			t.Fatalf("PUT %s: %d", path, code)
		}
		acked := time.Since(start)
		for j, name := range []string{"A", "B"} {
			select {
			case ev := <-feeds[j]:
				t.Logf("a write on A reached %s's watcher %v after its ack", name, time.Since(start)-acked)
				if !strings.Contains(ev[1], `"id":"lat`) {
					t.Errorf("%s's next event = %s", name, ev[1])
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s's watcher never heard of A's write", name)
			}
		}
	}
}
