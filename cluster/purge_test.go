package cluster_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// TestPurgeOnceAcrossInstances runs the purger of both instances at once
// over the same lapsed trash (issue 4 §6): each record is erased once, with
// one audit event, whichever instance gets there first.
func TestPurgeOnceAcrossInstances(t *testing.T) {
	c := newCluster(t, 2)
	const records = 40
	for i := range records {
		path := fmt.Sprintf("/api/users/p%02d", i)
		if s, b := call(t, c[i%2], "PUT", path, `{"v":1}`); s != http.StatusCreated {
			t.Fatalf("PUT %s: %d %s", path, s, b)
		}
		if s, b := call(t, c[1-i%2], "DELETE", path, ""); s != http.StatusOK {
			t.Fatalf("DELETE %s: %d %s", path, s, b)
		}
	}
	// The users' restore window is 30 days: both clocks jump past it.
	later := time.Now().Add(31 * 24 * time.Hour)
	for _, in := range c {
		in.clock.set(later)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
	)
	for _, in := range c {
		wg.Go(func() {
			n, err := in.svc.Purge(context.Background(), 1000)
			if err != nil {
				t.Errorf("Purge on %s: %v", in.name, err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if total != records {
		t.Errorf("the instances purged %d records in all, want %d", total, records)
	}
	for i := range records {
		id := fmt.Sprintf("p%02d", i)
		events, err := c[0].store.Audit(context.Background(), gone.AuditQuery{Collection: "users", ID: id})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range events {
			if e.Action == gone.ActionPurge {
				n++
			}
		}
		if n != 1 {
			t.Errorf("users/%s: %d purge events, want 1", id, n)
		}
		if r, err := c[1].store.Get(context.Background(), "users", id); err != nil || r.Data != nil {
			t.Errorf("users/%s after the purge: %+v, %v; want the payload erased", id, r, err)
		}
	}
}
