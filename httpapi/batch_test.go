package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gonehttp/gone"
)

// ndjson is the batch's media type header.
var ndjson = map[string]string{"Content-Type": "application/x-ndjson"}

// batchLines decodes a batch answer into one map per result line.
func batchLines(t *testing.T, body string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("result line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func countAudit(t *testing.T, e *env, coll, id string) int {
	t.Helper()
	evs, err := e.store.Audit(context.Background(), gone.AuditQuery{Collection: coll, ID: id})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

func TestBatchRowsFailAlone(t *testing.T) {
	e := newEnv(t)
	body := strings.Join([]string{
		`{"id":"b1","data":{"name":"One"}}`,
		`{"id":"123","data":{"name":"Reuse of a retired id"}}`,
		``,
		`{"id":"bad id","data":{}}`,
		`{"id":"b2","data":{"name":"Two"}`,
		`{"id":"b3","data":[1]}`,
		`{"id":"b4","data":{"a":1},"extra":true}`,
		`{"id":"42","data":{"id":"42","name":"Ada Lovelace","email":"ada@example.com"}}`,
		`{"id":"b1","data":{"name":"One, again"}}`,
	}, "\n")
	w := e.do(req{method: "POST", path: "/api/users/_batch", body: body, token: adminToken, header: ndjson})
	must(t, w, http.StatusOK, "batch")
	if ct := w.Header().Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	got := batchLines(t, w.Body.String())
	want := []struct {
		line    int
		status  int
		outcome string
	}{
		{1, 201, "created"}, {2, 409, ""}, {4, 400, ""}, {5, 400, ""},
		{6, 400, ""}, {7, 400, ""}, {8, 200, "unchanged"}, {9, 200, "replaced"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d result lines, want %d:\n%s", len(got), len(want), w.Body.String())
	}
	for i, wt := range want {
		g := got[i]
		if int(g["line"].(float64)) != wt.line || int(g["status"].(float64)) != wt.status {
			t.Errorf("result %d = line %v status %v, want line %d status %d (%v)", i, g["line"], g["status"], wt.line, wt.status, g)
		}
		if o, _ := g["outcome"].(string); o != wt.outcome {
			t.Errorf("result %d: outcome %q, want %q", i, o, wt.outcome)
		}
		if wt.status >= 400 && g["problem"] == nil {
			t.Errorf("result %d: a refused line carries no problem: %v", i, g)
		}
	}
	// The conflict says which tombstone refused the row, like a PUT would.
	if p := got[1]["problem"].(map[string]any); p["state"] != "gone" || p["deletedAt"] != "2026-01-05T10:30:00Z" {
		t.Errorf("conflict problem lacks the tombstone's facts: %v", p)
	}
	// Audited exactly like single writes: b1 created then replaced; the
	// unchanged users/42 got no event and no new version.
	if n := countAudit(t, e, "users", "b1"); n != 2 {
		t.Errorf("users/b1 has %d audit events, want 2", n)
	}
	before := countAudit(t, e, "users", "42")
	rec, _ := e.svc.Record(context.Background(), "users", "42")
	if rec.Version != 1 || before != 1 {
		t.Errorf("users/42: version %d and %d audit events after an identical row, want 1 and 1", rec.Version, before)
	}
	must(t, e.get("/api/users/b1"), http.StatusOK, "GET users/b1")
	for _, id := range []string{"b2", "b3", "b4"} {
		must(t, e.get("/api/users/"+id), http.StatusNotFound, "GET users/"+id+" (refused row)")
	}
}

func TestBatchRerunChangesNothing(t *testing.T) {
	e := newEnv(t)
	var b strings.Builder
	const n = gone.BatchChunk + 250 // more than one transaction
	for i := range n {
		fmt.Fprintf(&b, `{"id":"r%d","data":{"n":%d}}`+"\n", i, i)
	}
	for run, want := range []string{"created", "unchanged"} {
		w := e.do(req{method: "POST", path: "/api/promotions/_batch", body: b.String(), token: adminToken, header: ndjson})
		must(t, w, http.StatusOK, "batch")
		got := batchLines(t, w.Body.String())
		if len(got) != n {
			t.Fatalf("run %d: %d results, want %d", run, len(got), n)
		}
		for _, g := range got {
			if g["outcome"] != want {
				t.Fatalf("run %d: %v, want outcome %s", run, g, want)
			}
		}
	}
	evs, err := e.store.Audit(context.Background(), gone.AuditQuery{Collection: "promotions"})
	if err != nil {
		t.Fatal(err)
	}
	evs = slices.DeleteFunc(evs, func(ev gone.AuditEvent) bool { return !strings.HasPrefix(ev.ID, "r") })
	if len(evs) != n {
		t.Errorf("%d audit events after two runs, want %d (one create each)", len(evs), n)
	}
}

func TestBatchRefusedWhole(t *testing.T) {
	e := newEnv(t)
	line := `{"id":"x","data":{}}`
	cases := []struct {
		name   string
		r      req
		status int
	}{
		{"no token", req{method: "POST", path: "/api/users/_batch", body: line, header: ndjson}, 401},
		{"reader", req{method: "POST", path: "/api/users/_batch", body: line, token: readerToken, header: ndjson}, 403},
		{"unknown collection", req{method: "POST", path: "/api/nope/_batch", body: line, token: adminToken, header: ndjson}, 404},
		{"JSON, not JSON Lines", req{method: "POST", path: "/api/users/_batch", body: line, token: adminToken}, 415},
		{"media type", req{method: "POST", path: "/api/users/_batch", body: line, token: adminToken, header: map[string]string{"Content-Type": "text/csv"}}, 415},
		{"too many rows", req{method: "POST", path: "/api/users/_batch", body: strings.Repeat(line+"\n", gone.MaxBatchRows+1), token: adminToken, header: ndjson}, 413},
	}
	for _, c := range cases {
		w := e.do(c.r)
		if w.Code != c.status {
			t.Errorf("%s: status = %d, want %d; body %s", c.name, w.Code, c.status, w.Body.String())
		}
	}
	must(t, e.get("/api/users/x"), http.StatusNotFound, "nothing written")
}
