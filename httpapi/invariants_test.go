package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

// Erasure: after a permanent delete and a checkpoint, the payload is in
// neither the database file nor its WAL; the tombstone's facts remain.
func TestErasureOverHTTP(t *testing.T) {
	e := newEnv(t)
	secret := "PAYLOAD-7c1e-NEVER-AGAIN"
	must(t, e.admin("PUT", "/api/users/erase-me", `{"ssn":"`+secret+`"}`), 201, "create")
	must(t, e.admin("DELETE", "/api/users/erase-me", ""), 200, "soft delete")
	if err := e.store.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !fileHas(t, e.path, secret) {
		t.Fatal("control: the payload should be on disk while it is in the trash")
	}
	must(t, e.admin("DELETE", "/api/users/erase-me?permanent=true&reason=user_request", ""), 200, "permanent delete")
	if err := e.store.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{e.path, e.path + "-wal", e.path + "-shm"} {
		if fileHas(t, f, secret) {
			t.Errorf("%s still holds the erased payload", f)
		}
	}
	w := e.get("/api/users/erase-me")
	must(t, w, 410, "after erasure")
	if m := members(t, w); m["reason"] != "User requested account deletion" {
		t.Errorf("tombstone lost its reason: %v", m)
	}
}

func fileHas(t *testing.T, path, s string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(b, []byte(s))
}

// Permanence: random sequences of every write, over real HTTP and a real
// SQLite file, with the clock moving, never bring back an id that once
// answered 410.
func TestPermanenceProperty(t *testing.T) {
	seqs, ops := 12, 60
	if testing.Short() {
		seqs = 3
	}
	for seed := range seqs {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			e := newEnv(t)
			rng := rand.New(rand.NewPCG(uint64(seed), 1))
			ids := []string{"p1", "p2", "p3", "p4"}
			gone := map[string]bool{}
			for i := range ops {
				id := ids[rng.IntN(len(ids))]
				coll := []string{"users", "promotions"}[rng.IntN(2)]
				path := "/api/" + coll + "/" + id
				var op string
				switch rng.IntN(9) {
				case 0, 1:
					op = "PUT " + path
					e.admin("PUT", path, `{"i":1}`)
				case 2:
					op = "DELETE " + path
					e.admin("DELETE", path, "")
				case 3:
					op = "DELETE permanent " + path
					e.admin("DELETE", path+"?permanent=true", "")
				case 4:
					op = "restore " + path
					e.admin("POST", path+"/restore", "")
				case 5:
					to := ids[rng.IntN(len(ids))]
					op = "move " + path + " to " + to
					e.admin("POST", path+"/move", `{"to":"`+to+`"}`)
				case 6:
					at := e.clock.Now().Add(time.Duration(rng.IntN(7200)-3600) * time.Second).Format(time.RFC3339)
					op = "expire " + path + " at " + at
					e.admin("PATCH", path+"/lifecycle", `{"expiresAt":"`+at+`"}`)
				case 7:
					op = "clear expiry " + path
					e.admin("PATCH", path+"/lifecycle", `{"expiresAt":null}`)
				case 8:
					d := time.Duration(rng.IntN(40*24)) * time.Hour
					op = "advance " + d.String()
					e.clock.Add(d)
				}
				for _, c := range []string{"users", "promotions"} {
					for _, id := range ids {
						p := "/api/" + c + "/" + id
						code := e.get(p).Code
						if gone[p] && code != 410 {
							t.Fatalf("op %d (%s): %s answered 410 before, now %d", i, op, p, code)
						}
						if code == 410 {
							gone[p] = true
						}
					}
				}
			}
		})
	}
}
