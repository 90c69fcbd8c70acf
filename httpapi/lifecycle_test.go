package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// One resource's whole life over HTTP, as the README walks it.
func TestWholeLife(t *testing.T) {
	e := newEnv(t)

	w := e.admin("PUT", "/api/users/500", `{"name":"Grace"}`)
	must(t, w, 201, "create")
	if w.Header().Get("ETag") == "" || w.Header().Get("Location") != "/api/users/500" {
		t.Errorf("create: ETag %q, Location %q", w.Header().Get("ETag"), w.Header().Get("Location"))
	}
	w = e.get("/api/users/500")
	must(t, w, 200, "read live")
	if got := strings.TrimSpace(w.Body.String()); got != `{"name":"Grace"}` {
		t.Errorf("read live: body = %s", got)
	}

	// Soft delete: the public sees the never-existed 404, byte for byte.
	w = e.admin("DELETE", "/api/users/500?reason=user_request", "")
	must(t, w, 200, "soft delete")
	m := members(t, w)
	if m["state"] != "deleted" || m["restorableUntil"] != "2026-12-22T12:00:00Z" {
		t.Errorf("soft delete: state %v, restorableUntil %v", m["state"], m["restorableUntil"])
	}
	trash, never := e.get("/api/users/500"), e.get("/api/users/501")
	must(t, trash, 404, "read trash")
	if a, b := strings.ReplaceAll(trash.Body.String(), "500", "ID"), strings.ReplaceAll(never.Body.String(), "501", "ID"); a != b {
		t.Errorf("trash 404 differs from never-existed 404:\n%s\n%s", a, b)
	}
	for _, h := range []string{"Cache-Control", "Content-Type", "Vary", "Content-Language", "Content-Length"} {
		if trash.Header().Get(h) != never.Header().Get(h) {
			t.Errorf("header %s: trash %q, never %q", h, trash.Header().Get(h), never.Header().Get(h))
		}
	}
	// The resource URL answers a representation or a problem, for admins
	// too: the admin's 404 is the public's, byte for byte. The trash is
	// seen through the lifecycle view and the trash listing.
	w = e.do(req{path: "/api/users/500", token: adminToken})
	must(t, w, 404, "admin reads trash at the resource URL")
	if w.Body.String() != trash.Body.String() {
		t.Errorf("admin's 404 for trash differs from the public's:\n%s\n%s", w.Body, trash.Body)
	}
	w = e.do(req{path: "/api/users/500/lifecycle", token: adminToken})
	must(t, w, 200, "admin reads trash's lifecycle")
	if m := members(t, w); m["state"] != "deleted" || m["restorableUntil"] == nil {
		t.Errorf("admin view of trash: %v", m)
	}
	w = e.do(req{path: "/api/users?state=deleted", token: adminToken})
	must(t, w, 200, "admin lists the trash")
	if !strings.Contains(w.Body.String(), `"id":"500","state":"deleted"`) {
		t.Errorf("trash listing lacks users/500: %s", w.Body)
	}

	must(t, e.admin("POST", "/api/users/500/restore", ""), 200, "restore")
	must(t, e.get("/api/users/500"), 200, "read restored")
	must(t, e.admin("POST", "/api/users/500/restore", ""), 409, "restore live")

	// Permanent delete: 410 forever; the id cannot be taken again.
	w = e.admin("DELETE", "/api/users/500?permanent=true&reason=Account+closed&alternative=/api/users", "")
	must(t, w, 200, "permanent delete")
	w = e.get("/api/users/500")
	must(t, w, 410, "read gone")
	m = members(t, w)
	if m["reason"] != "Account closed" || m["alternative"] != "/api/users" || m["deletedAt"] != "2026-11-22T12:00:00Z" {
		t.Errorf("gone: %v", m)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "max-age=86400" {
		t.Errorf("gone: Cache-Control = %q", cc)
	}
	w = e.admin("PUT", "/api/users/500", `{"name":"Impostor"}`)
	must(t, w, 409, "create over tombstone")
	if m := members(t, w); m["deletedAt"] != "2026-11-22T12:00:00Z" || m["state"] != "gone" {
		t.Errorf("409 lacks the tombstone's facts: %v", m)
	}
	must(t, e.admin("POST", "/api/users/500/restore", ""), 410, "restore gone")
	must(t, e.admin("POST", "/api/users/404404/restore", ""), 404, "restore never-existed")

	// History is audited with the token's name.
	w = e.admin("GET", "/api/users/500/lifecycle", "")
	must(t, w, 200, "lifecycle")
	var actions []string
	for _, ev := range members(t, w)["history"].([]any) {
		ev := ev.(map[string]any)
		actions = append(actions, ev["action"].(string))
		if ev["actor"] != "admin" {
			t.Errorf("audit actor = %v, want admin", ev["actor"])
		}
	}
	if got, want := strings.Join(actions, ","), "create,soft_delete,restore,delete"; got != want {
		t.Errorf("history = %s, want %s", got, want)
	}
}

func TestTrashWindowLapsesAtReadTime(t *testing.T) {
	e := newEnv(t)
	must(t, e.admin("PUT", "/api/users/600", `{"a":1}`), 201, "create")
	must(t, e.admin("DELETE", "/api/users/600", ""), 200, "soft delete")
	e.clock.Add(30*24*time.Hour - time.Second)
	must(t, e.get("/api/users/600"), 404, "one second before the window ends")
	e.clock.Add(time.Second)
	must(t, e.get("/api/users/600"), 410, "at the window's end")
	must(t, e.admin("POST", "/api/users/600/restore", ""), 410, "restore after the window")
}

func TestExpiry(t *testing.T) {
	e := newEnv(t)
	must(t, e.admin("PUT", "/api/promotions/flash", `{"d":5}`), 201, "create")
	w := e.admin("PATCH", "/api/promotions/flash/lifecycle", `{"expiresAt":"2026-11-22T13:00:00Z","alternative":"/api/promotions/current"}`)
	must(t, w, 200, "schedule expiry")
	w = e.get("/api/promotions/flash")
	must(t, w, 200, "before expiry")
	if got := w.Header().Get("Sunset"); got != "Sun, 22 Nov 2026 13:00:00 GMT" {
		t.Errorf("Sunset = %q", got)
	}
	if got := w.Header().Get("Link"); got != `</api/promotions/current>; rel="sunset"` {
		t.Errorf("Link = %q", got)
	}
	e.clock.Add(time.Hour - time.Second)
	must(t, e.get("/api/promotions/flash"), 200, "a second before expiry")
	e.clock.Add(time.Second)
	w = e.get("/api/promotions/flash")
	must(t, w, 410, "at expiry")
	if m := members(t, w); m["expiredAt"] != "2026-11-22T13:00:00Z" {
		t.Errorf("expiredAt = %v", m["expiredAt"])
	}
	must(t, e.admin("PATCH", "/api/promotions/flash/lifecycle", `{"expiresAt":null}`), 409, "un-expire")
	must(t, e.get("/api/promotions/flash"), 410, "still gone")
}

func TestMove(t *testing.T) {
	e := newEnv(t)
	w := e.get("/api/promotions/current")
	must(t, w, 308, "demo current")
	if loc := w.Header().Get("Location"); loc != "/api/promotions/winter-sale-2026" {
		t.Errorf("Location = %q", loc)
	}
	must(t, e.admin("PUT", "/api/users/700", `{"n":1}`), 201, "create")
	w = e.admin("POST", "/api/users/700/move", `{"to":"701"}`)
	must(t, w, 200, "move")
	w = e.get("/api/users/700")
	must(t, w, 308, "old id")
	if loc := w.Header().Get("Location"); loc != "/api/users/701" {
		t.Errorf("Location = %q", loc)
	}
	must(t, e.get("/api/users/701"), 200, "new id")
	must(t, e.admin("POST", "/api/users/701/move", `{"to":"42"}`), 409, "move onto a live id")
	must(t, e.admin("POST", "/api/users/701/move", `{"to":"123"}`), 409, "move onto a tombstone")
}

func TestUnavailable(t *testing.T) {
	e := newEnv(t)
	w := e.admin("PATCH", "/api/users/42/lifecycle", `{"unavailableUntil":"2026-11-22T12:10:00Z"}`)
	must(t, w, 200, "withhold")
	w = e.get("/api/users/42")
	must(t, w, 503, "withheld")
	if w.Header().Get("Retry-After") != "600" || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("503 headers: Retry-After %q, Cache-Control %q", w.Header().Get("Retry-After"), w.Header().Get("Cache-Control"))
	}
	e.clock.Add(10 * time.Minute)
	must(t, e.get("/api/users/42"), 200, "back")
}

func TestConditionalAndHead(t *testing.T) {
	e := newEnv(t)
	w := e.get("/api/users/42")
	must(t, w, 200, "get")
	etag, lm := w.Header().Get("ETag"), w.Header().Get("Last-Modified")
	must(t, e.do(req{path: "/api/users/42", header: map[string]string{"If-None-Match": etag}}), 304, "If-None-Match")
	must(t, e.do(req{path: "/api/users/42", header: map[string]string{"If-Modified-Since": lm}}), 304, "If-Modified-Since")
	w = e.do(req{method: "HEAD", path: "/api/users/123"})
	must(t, w, 410, "HEAD gone")
	w = e.do(req{method: "PUT", path: "/api/users/42", body: `{"x":1}`, token: adminToken, header: map[string]string{"If-Match": `"999"`}})
	must(t, w, 412, "If-Match mismatch")
	w = e.do(req{method: "PUT", path: "/api/users/42", body: `{"x":1}`, token: adminToken, header: map[string]string{"If-Match": etag}})
	must(t, w, 200, "If-Match match")
}

func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	w := e.do(req{method: "POST", path: "/api/users/42"})
	must(t, w, 405, "POST on an id")
	if allow := w.Header().Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "DELETE") {
		t.Errorf("Allow = %q", allow)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("405 Content-Type = %q", ct)
	}
}

func TestAuth(t *testing.T) {
	e := newEnv(t)
	w := e.do(req{method: "PUT", path: "/api/users/1", body: `{}`})
	must(t, w, 401, "write without a token")
	if w.Header().Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	must(t, e.do(req{method: "PUT", path: "/api/users/1", body: `{}`, token: "wrong"}), 401, "wrong token")
	must(t, e.do(req{method: "PUT", path: "/api/users/1", body: `{}`, token: readerToken}), 403, "read token writes")
	must(t, e.do(req{path: "/api/users/42", token: readerToken}), 200, "read token reads")
	// accounts is private: permission before existence.
	a, b := e.get("/api/accounts/7"), e.get("/api/accounts/nobody")
	must(t, a, 401, "private existing")
	must(t, b, 401, "private unknown")
	if a.Body.String() != strings.ReplaceAll(b.Body.String(), "nobody", "7") {
		t.Errorf("private 401s differ:\n%s\n%s", a.Body, b.Body)
	}
	must(t, e.do(req{path: "/api/audit"}), 401, "audit without a token")
	must(t, e.do(req{path: "/api/audit", token: readerToken}), 403, "audit with a read token")
}

func TestConcealedCollection(t *testing.T) {
	e := newEnv(t)
	must(t, e.admin("DELETE", "/api/accounts/7?permanent=true", ""), 200, "delete account")
	gone := e.do(req{path: "/api/accounts/7", token: readerToken})
	never := e.do(req{path: "/api/accounts/8", token: readerToken})
	must(t, gone, 404, "concealed gone")
	if strings.ReplaceAll(gone.Body.String(), "/7", "/8") != strings.ReplaceAll(never.Body.String(), "ID 8", "ID 7") &&
		strings.ReplaceAll(gone.Body.String(), "7", "8") != never.Body.String() {
		t.Errorf("concealed 404 differs from never-existed:\n%s\n%s", gone.Body, never.Body)
	}
	must(t, e.do(req{path: "/api/accounts/7", token: adminToken}), 410, "admin sees the truth")
}

func TestExplain(t *testing.T) {
	e := newEnv(t)
	w := e.admin("GET", "/api/explain?path=/api/users/123", "")
	must(t, w, 200, "explain")
	m := members(t, w)
	if m["state"] != "gone" || m["public"].(map[string]any)["status"] != float64(410) {
		t.Errorf("explain: %v", m)
	}
	steps := m["steps"].([]any)
	if len(steps) < 3 || steps[0].(map[string]any)["question"] != "Resource exists?" {
		t.Errorf("explain steps: %v", steps)
	}
}

func TestListAndAudit(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"a1", "a2", "a3"} {
		must(t, e.admin("PUT", "/api/users/"+id, `{"v":1}`), 201, "create "+id)
	}
	must(t, e.admin("DELETE", "/api/users/a2", ""), 200, "soft delete a2")
	w := e.get("/api/users?limit=2")
	must(t, w, 200, "list")
	m := members(t, w)
	if items := m["items"].([]any); len(items) != 2 || m["next"] == nil {
		t.Fatalf("list page 1: %v", m)
	}
	w = e.get("/api/users?limit=2&cursor=" + m["next"].(string))
	must(t, w, 200, "list page 2")
	if items := members(t, w)["items"].([]any); len(items) != 1 {
		t.Errorf("list page 2 (42, a1 | a3): %s", w.Body)
	}
	must(t, e.get("/api/users?state=deleted"), 403, "public lists trash")
	w = e.admin("GET", "/api/users?state=deleted", "")
	must(t, w, 200, "admin lists trash")
	if items := members(t, w)["items"].([]any); len(items) != 1 {
		t.Errorf("trash: %s", w.Body)
	}
	w = e.admin("GET", "/api/audit?collection=users&id=a2", "")
	must(t, w, 200, "audit")
	if evs := members(t, w)["events"].([]any); len(evs) != 2 {
		t.Errorf("audit of a2: %s", w.Body)
	}
}

func TestWritesThroughPostAndPatch(t *testing.T) {
	e := newEnv(t)
	w := e.admin("POST", "/api/users", `{"name":"New"}`)
	must(t, w, 201, "post")
	loc := w.Header().Get("Location")
	if !strings.HasPrefix(loc, "/api/users/") {
		t.Fatalf("Location = %q", loc)
	}
	w = e.do(req{method: "PATCH", path: loc, body: `{"name":null,"age":30}`, token: adminToken,
		header: map[string]string{"Content-Type": "application/merge-patch+json"}})
	must(t, w, 200, "merge patch")
	if got := strings.TrimSpace(w.Body.String()); got != `{"age":30}` {
		t.Errorf("patched = %s", got)
	}
	must(t, e.admin("PATCH", "/api/users/123", `{"a":1}`), 410, "patch gone")
}

var _ = http.MethodGet

// The admin's lifecycle view of an unknown id says so in the collection's
// words, not the store's.
func TestLifecycleOfUnknownID(t *testing.T) {
	e := newEnv(t)
	w := e.admin("GET", "/api/users/999/lifecycle", "")
	must(t, w, 404, "lifecycle of an unknown id")
	if m := members(t, w); m["detail"] != "User with ID 999 does not exist" {
		t.Errorf("detail = %q", m["detail"])
	}
}
