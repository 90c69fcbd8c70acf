package cluster_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TestTombstoneWinsOverConcurrentCreate races a permanent delete on one
// instance against a write of the same id on the other, many times. The
// write may land first (and be erased) or second (and be refused with
// 409); never may the id come back alive after the delete was answered.
func TestTombstoneWinsOverConcurrentCreate(t *testing.T) {
	c := newCluster(t, 2)
	for round := range 30 {
		a, b := c[round%2], c[1-round%2]
		id := fmt.Sprintf("t%d", round)
		path := "/api/users/" + id
		if s, body := call(t, a, "PUT", path, `{"v":0}`); s != http.StatusCreated {
			t.Fatalf("round %d: create: %d %s", round, s, body)
		}
		if round%3 == 1 {
			// From the trash too: a write there is a conflict either way.
			if s, body := call(t, b, "DELETE", path, ""); s != http.StatusOK {
				t.Fatalf("round %d: soft delete: %d %s", round, s, body)
			}
		}
		var (
			wg         sync.WaitGroup
			gate       = make(chan struct{})
			delStatus  int
			putStatus  int
			putStatus2 int
		)
		wg.Go(func() { <-gate; delStatus, _ = call(t, a, "DELETE", path+"?permanent=true", "") })
		wg.Go(func() { <-gate; putStatus, _ = call(t, b, "PUT", path, `{"v":1}`) })
		wg.Go(func() { <-gate; putStatus2, _ = call(t, a, "PUT", path, `{"v":2}`) })
		close(gate)
		wg.Wait()

		if delStatus != http.StatusOK {
			t.Errorf("round %d: permanent delete: %d, want 200", round, delStatus)
		}
		for _, s := range []int{putStatus, putStatus2} {
			if s != http.StatusOK && s != http.StatusConflict {
				t.Errorf("round %d: concurrent PUT: %d, want 200 (before the delete) or 409 (after)", round, s)
			}
		}
		for _, in := range c {
			if s, body := call(t, in, "GET", path, ""); s != http.StatusGone {
				t.Errorf("round %d: GET on %s after the delete: %d %s, want 410", round, in.name, s, body)
			}
			if s, _ := call(t, in, "PUT", path, `{"v":3}`); s != http.StatusConflict {
				t.Errorf("round %d: PUT on %s after the delete: %d, want 409", round, in.name, s)
			}
		}
		if r, err := c[0].store.Get(context.Background(), "users", id); err != nil || r.Data != nil {
			t.Errorf("round %d: stored record %+v, %v: want the payload erased", round, r, err)
		}
	}
}

// TestConcurrentCreatesOneWinner creates one new id from both instances
// at once: exactly one gets 201, the other replaces (200).
func TestConcurrentCreatesOneWinner(t *testing.T) {
	c := newCluster(t, 2)
	for round := range 30 {
		path := fmt.Sprintf("/api/users/new%d", round)
		var (
			wg       sync.WaitGroup
			gate     = make(chan struct{})
			statuses [2]int
		)
		for i, in := range c {
			wg.Go(func() { <-gate; statuses[i], _ = call(t, in, "PUT", path, fmt.Sprintf(`{"by":%d}`, i)) })
		}
		close(gate)
		wg.Wait()
		created := 0
		for _, s := range statuses {
			if s == http.StatusCreated {
				created++
			} else if s != http.StatusOK {
				t.Errorf("round %d: PUT: %d", round, s)
			}
		}
		if created != 1 {
			t.Errorf("round %d: %d creates answered 201 (%v), want exactly 1", round, created, statuses)
		}
	}
}
