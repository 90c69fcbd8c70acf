package cluster_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// op is one request of the randomized run and what it was answered.
type op struct {
	kind       string // put, delete, purge (permanent delete), restore, move, get
	id, to     string
	inst       string
	start, end time.Time
	status     int
	body       string
}

// acked reports whether the server acknowledged the op with a 2xx.
func (o op) acked() bool { return o.status >= 200 && o.status < 300 }

// TestRandomRacesAcrossInstances races writes on a few ids from several
// workers through two instances over one PostgreSQL, then checks the
// invariants from the answers and the audit log:
//   - no resurrection: once a permanent delete or a move was acknowledged,
//     no later request sees the id live or may create it again;
//   - no lost acknowledged write and no phantom: every 2xx write has its
//     audit event (written in the same transaction) and every event its 2xx;
//   - both instances give the same final answer for every id.
func TestRandomRacesAcrossInstances(t *testing.T) {
	c := newCluster(t, 2)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	ids := []string{"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"}
	const workers, perWorker = 8, 40

	var (
		mu  sync.Mutex
		ops []op
		wg  sync.WaitGroup
	)
	for w := range workers {
		rng := rand.New(rand.NewPCG(seed, uint64(w)))
		wg.Go(func() {
			for i := range perWorker {
				in := c[rng.IntN(len(c))]
				o := op{id: ids[rng.IntN(len(ids))], inst: in.name}
				var method, path, body string
				switch p := rng.IntN(100); {
				case p < 35:
					o.kind, method, path, body = "put", "PUT", "/api/users/"+o.id, fmt.Sprintf(`{"w":%d,"i":%d}`, w, i)
				case p < 55:
					o.kind, method, path = "delete", "DELETE", "/api/users/"+o.id
				case p < 75:
					o.kind, method, path = "restore", "POST", "/api/users/"+o.id+"/restore"
				case p < 78:
					// Rare, so the ids stay alive long enough to race.
					o.kind, method, path = "purge", "DELETE", "/api/users/"+o.id+"?permanent=true"
				case p < 81:
					o.to = fmt.Sprintf("%s-to-%d-%d", o.id, w, i)
					o.kind, method, path, body = "move", "POST", "/api/users/"+o.id+"/move", `{"to":"`+o.to+`"}`
				default:
					o.kind, method, path = "get", "GET", "/api/users/"+o.id
				}
				o.start = time.Now()
				o.status, o.body = call(t, in, method, path, body)
				o.end = time.Now()
				mu.Lock()
				ops = append(ops, o)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	tally := map[string]int{}
	for _, o := range ops {
		tally[fmt.Sprintf("%s %d", o.kind, o.status)]++
	}
	t.Logf("answers: %v", tally)

	checkStatuses(t, ops)
	checkNoResurrection(t, ops)
	checkAuditMatchesAcks(t, c[0].store, ids, ops)
	checkInstancesAgree(t, c, ids, ops)
}

// allowed is every status an op may get in this run; anything else
// (a 500, a 503 from a deadlock) is a failure.
var allowed = map[string][]int{
	"put":     {200, 201, 409},
	"delete":  {200, 404, 410},
	"purge":   {200, 404, 410},
	"restore": {200, 404, 409, 410},
	"move":    {200, 404, 409, 410},
	"get":     {200, 308, 404, 410},
}

func checkStatuses(t *testing.T, ops []op) {
	t.Helper()
	for _, o := range ops {
		ok := false
		for _, s := range allowed[o.kind] {
			ok = ok || s == o.status
		}
		if !ok {
			t.Errorf("%s %s on %s: status %d (%s), want one of %v", o.kind, o.id, o.inst, o.status, o.body, allowed[o.kind])
		}
	}
}

func checkNoResurrection(t *testing.T, ops []op) {
	t.Helper()
	// When each id was first acknowledged gone for good, or moved away.
	gone, moved := map[string]time.Time{}, map[string]time.Time{}
	for _, o := range ops {
		if !o.acked() {
			continue
		}
		first := func(m map[string]time.Time) {
			if at, ok := m[o.id]; !ok || o.end.Before(at) {
				m[o.id] = o.end
			}
		}
		switch {
		case o.kind == "purge", o.kind == "delete" && strings.Contains(o.body, `"state":"gone"`):
			first(gone)
		case o.kind == "move":
			first(moved)
		}
	}
	for _, o := range ops {
		if at, ok := gone[o.id]; ok && o.start.After(at) {
			want := map[string]int{"put": 409, "delete": 410, "purge": 410, "restore": 410, "move": 410, "get": 410}[o.kind]
			if o.status != want {
				t.Errorf("resurrection? %s %s on %s after its permanent delete was acknowledged: %d %s, want %d",
					o.kind, o.id, o.inst, o.status, o.body, want)
			}
		}
		if at, ok := moved[o.id]; ok && o.start.After(at) && (o.kind == "put" && o.status != 409 || o.kind == "get" && o.status == 200) {
			t.Errorf("%s %s on %s after it was moved away: %d %s; a moved id never lives again", o.kind, o.id, o.inst, o.status, o.body)
		}
	}
}

func checkAuditMatchesAcks(t *testing.T, store gone.Store, ids []string, ops []op) {
	t.Helper()
	type key struct{ id, action string }
	want := map[key]int{}
	softAcks := map[string]int{}
	for _, o := range ops {
		if !o.acked() {
			continue
		}
		switch o.kind {
		case "put":
			want[key{o.id, "create|replace"}]++
		case "restore":
			want[key{o.id, gone.ActionRestore}]++
		case "move":
			want[key{o.id, "moved to"}]++
		case "purge", "delete":
			if strings.Contains(o.body, `"state":"gone"`) {
				want[key{o.id, gone.ActionDelete}]++
			} else {
				// A soft delete, or a no-op on what was already in the
				// trash: the answer does not tell which.
				softAcks[o.id]++
			}
		}
	}
	for _, id := range ids {
		events, err := store.Audit(context.Background(), gone.AuditQuery{Collection: "users", ID: id})
		if err != nil {
			t.Fatal(err)
		}
		got := map[key]int{}
		soft := 0
		for _, e := range events {
			switch {
			case e.Action == gone.ActionCreate, e.Action == gone.ActionReplace:
				got[key{id, "create|replace"}]++
			case e.Action == gone.ActionMove && strings.HasPrefix(e.Detail, "moved to"):
				got[key{id, "moved to"}]++
			case e.Action == gone.ActionSoftDelete:
				soft++
			default:
				got[key{id, e.Action}]++
			}
		}
		for _, action := range []string{"create|replace", gone.ActionRestore, "moved to", gone.ActionDelete} {
			k := key{id, action}
			if got[k] != want[k] {
				t.Errorf("%s: %d %s audit events, but %d acknowledged requests: a lost write or a phantom", id, got[k], action, want[k])
			}
		}
		if soft > softAcks[id] {
			t.Errorf("%s: %d soft_delete events but only %d acknowledged soft deletes", id, soft, softAcks[id])
		}
	}
}

func checkInstancesAgree(t *testing.T, c []*instance, ids []string, ops []op) {
	t.Helper()
	paths := map[string]bool{}
	for _, id := range ids {
		paths["/api/users/"+id] = true
	}
	for _, o := range ops {
		if o.kind == "move" && o.acked() {
			paths["/api/users/"+o.to] = true
		}
	}
	for p := range paths {
		s0, b0 := call(t, c[0], "GET", p, "")
		s1, b1 := call(t, c[1], "GET", p, "")
		if s0 != s1 || b0 != b1 {
			t.Errorf("GET %s: %s answers %d %s; %s answers %d %s", p, c[0].name, s0, b0, c[1].name, s1, b1)
		}
		if strings.Contains(p, "-to-") && s0 != http.StatusOK && s0 != http.StatusNotFound && s0 != http.StatusGone {
			t.Errorf("GET %s (a move's target): %d", p, s0)
		}
	}
}
