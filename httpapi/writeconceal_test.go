package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Promise (invariant 7): a refused write tells a caller no more than that
// caller's read would. A write token reads a soft-deleted id, or a retired
// one in a collection that conceals, as the 404 of an id that never
// existed; its refused PATCH, DELETE, restore, move, lifecycle change and
// preconditioned PUT on such an id answer exactly as on an id that never
// existed, and the PUT that cannot create names no fact of the record.
func TestRefusedWritesTellNoMoreThanAReads(t *testing.T) {
	t.Parallel()
	setup := func(t *testing.T) (*env, string) {
		e := newEnv(t)
		for _, step := range []struct{ method, path, body string }{
			{"PUT", "/api/accounts/del0", `{"plan":"pro"}`},
			{"DELETE", "/api/accounts/del0", ""},
			{"PUT", "/api/accounts/ret0", `{"plan":"pro"}`},
			{"DELETE", "/api/accounts/ret0?permanent=true&reason=policy_violation&alternative=/api/accounts", ""},
			{"PUT", "/api/accounts/liv0", `{"plan":"pro"}`},
			{"PUT", "/api/users/del0", `{"name":"x"}`},
			{"DELETE", "/api/users/del0", ""},
		} {
			if w := e.admin(step.method, step.path, step.body); w.Code >= 300 {
				t.Fatalf("%s %s: %d %s", step.method, step.path, w.Code, w.Body)
			}
		}
		return e, e.createToken(`{"name":"writer","scopes":["write"]}`)
	}
	stale := map[string]string{"If-Match": `"9"`}
	// Writes that each hidden id refuses (a DELETE or restore of the trash
	// would succeed: that is a write, not a refusal).
	writes := []struct {
		name, method, suffix, body string
		header                     map[string]string
		trashToo                   bool
	}{
		{"no-op PATCH", "PATCH", "", `{}`, nil, true},
		{"PATCH", "PATCH", "", `{"plan":"free"}`, nil, true},
		{"PATCH with If-Match", "PATCH", "", `{"plan":"free"}`, stale, true},
		{"DELETE", "DELETE", "", "", nil, false},
		{"DELETE with If-Match", "DELETE", "", "", stale, true},
		{"restore", "POST", "/restore", "", nil, false},
		{"restore with If-Match", "POST", "/restore", "", stale, true},
		{"move", "POST", "/move", `{"to":"elsewhere"}`, nil, true},
		{"lifecycle", "PATCH", "/lifecycle", `{"alternative":"/api/accounts"}`, nil, true},
		{"lifecycle with If-Match", "PATCH", "/lifecycle", `{"alternative":"/api/accounts"}`, stale, true},
		{"PUT with If-Match", "PUT", "", `{"plan":"free"}`, stale, true},
	}
	for _, c := range []struct{ hidden, never string }{
		{"/api/accounts/del0", "/api/accounts/nev0"},
		{"/api/accounts/ret0", "/api/accounts/nev0"},
		{"/api/users/del0", "/api/users/nev0"},
	} {
		t.Run(c.hidden, func(t *testing.T) {
			t.Parallel()
			e, writer := setup(t)
			trash := strings.Contains(c.hidden, "del0")
			if w := e.do(req{path: c.hidden, token: writer}); w.Code != http.StatusNotFound {
				t.Fatalf("GET %s with the write token: %d, want 404 (the premise)", c.hidden, w.Code)
			}
			id, nid := c.hidden[strings.LastIndex(c.hidden, "/")+1:], c.never[strings.LastIndex(c.never, "/")+1:]
			for _, wr := range writes {
				if trash && !wr.trashToo {
					continue
				}
				got := e.do(req{method: wr.method, path: c.hidden + wr.suffix, body: wr.body, token: writer, header: wr.header})
				want := e.do(req{method: wr.method, path: c.never + wr.suffix, body: wr.body, token: writer, header: wr.header})
				if got.Code != want.Code || strings.ReplaceAll(got.Body.String(), id, nid) != want.Body.String() {
					t.Errorf("%s of %s: %d %s\nwant as for %s: %d %s", wr.name, c.hidden, got.Code, got.Body, c.never, want.Code, want.Body)
				}
				if etag := got.Header().Get("ETag"); etag != want.Header().Get("ETag") {
					t.Errorf("%s of %s: ETag %q, want %q as for %s", wr.name, c.hidden, etag, want.Header().Get("ETag"), c.never)
				}
			}
			// A PUT cannot create where a record is, nor a move land on
			// it: each is refused, with no fact of the record.
			live := "/api/users/42"
			if strings.HasPrefix(c.hidden, "/api/accounts/") {
				live = "/api/accounts/liv0"
			}
			for _, r := range []req{
				{method: "PUT", path: c.hidden, body: `{"plan":"free"}`, token: writer},
				{method: "POST", path: live + "/move", body: `{"to":"` + id + `"}`, token: writer},
			} {
				w := e.do(r)
				var m map[string]any
				json.Unmarshal(w.Body.Bytes(), &m)
				if w.Code != http.StatusConflict {
					t.Errorf("%s %s with the write token: %d, want 409", r.method, r.path, w.Code)
				}
				for _, k := range []string{"state", "deletedAt", "restorableUntil", "reason", "alternative", "movedTo", "expiredAt"} {
					if _, ok := m[k]; ok {
						t.Errorf("%s %s with the write token: the 409 tells %s: %s", r.method, r.path, k, w.Body)
					}
				}
				if strings.Contains(w.Body.String(), "terms of service") || strings.Contains(w.Body.String(), "trash") || w.Header().Get("ETag") != "" {
					t.Errorf("%s %s with the write token: the 409 tells the reason, the state or the version: %s", r.method, r.path, w.Body)
				}
			}
		})
	}
	// A batch row on such an id is refused as the PUT is, naming no fact.
	t.Run("batch", func(t *testing.T) {
		t.Parallel()
		e, writer := setup(t)
		w := e.do(req{method: "POST", path: "/api/accounts/_batch", body: `{"id":"ret0","data":{"plan":"free"}}` + "\n",
			token: writer, header: map[string]string{"Content-Type": "application/jsonl"}})
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"status":409`) {
			t.Fatalf("batch with a retired id: %d %s, want 200 with a 409 row", w.Code, w.Body)
		}
		for _, leak := range []string{"deletedAt", "terms of service", `"state"`, "alternative"} {
			if strings.Contains(w.Body.String(), leak) {
				t.Errorf("batch row on a concealed retired id tells %s: %s", leak, w.Body)
			}
		}
	})
	e, _ := setup(t)
	// The admin, who may read the lifecycle view, still gets the facts.
	w := e.admin("PUT", "/api/accounts/ret0", `{"plan":"free"}`)
	if !strings.Contains(w.Body.String(), `"deletedAt"`) {
		t.Errorf("PUT /api/accounts/ret0 as admin: %d %s, want the tombstone's facts", w.Code, w.Body)
	}
}
