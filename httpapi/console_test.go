package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// These are the API additions the admin console reads: the index, the
// admin lists by state, audit filters, and explain's recorded answers.

func TestIndex(t *testing.T) {
	e := newEnv(t)
	w := e.do(req{path: "/api", header: map[string]string{"Accept-Language": "es"}})
	must(t, w, http.StatusOK, "GET /api")
	var idx struct {
		Front       string `json:"front"`
		Collections []struct {
			Name                 string `json:"name"`
			RestoreWindowSeconds int64  `json:"restoreWindowSeconds"`
			Disclosure           string `json:"disclosure"`
			Private              bool   `json:"private"`
		} `json:"collections"`
		Reasons []struct{ Code, Text string } `json:"reasons"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &idx); err != nil {
		t.Fatal(err)
	}
	if idx.Front != "serve" {
		t.Errorf("front = %q, want serve (no WithFront)", idx.Front)
	}
	var names []string
	for _, c := range idx.Collections {
		names = append(names, c.Name)
		if c.Name == "users" && (c.RestoreWindowSeconds != 30*86400 || c.Disclosure != "full" || c.Private) {
			t.Errorf("users = %+v, want a 30-day window, full disclosure, public", c)
		}
		if c.Name == "accounts" && (!c.Private || c.Disclosure != "conceal") {
			t.Errorf("accounts = %+v, want private and concealed", c)
		}
	}
	if !slices.Equal(names, []string{"accounts", "promotions", "users"}) {
		t.Errorf("collections = %q, want accounts, promotions, users", names)
	}
	found := false
	for _, r := range idx.Reasons {
		if r.Code == "user_request" {
			found = r.Text == "El usuario solicitó la eliminación de la cuenta"
		}
	}
	if !found {
		t.Errorf("reasons = %+v, want user_request in Spanish", idx.Reasons)
	}
	if got := w.Header().Get("Vary"); !strings.Contains(got, "Accept-Language") {
		t.Errorf("Vary = %q, want Accept-Language", got)
	}
}

func listIDs(t *testing.T, e *env, token, query string) (int, []string) {
	t.Helper()
	w := e.do(req{path: "/api/promotions?" + query, token: token})
	if w.Code != http.StatusOK {
		return w.Code, nil
	}
	var page struct {
		Items []struct {
			ID        string `json:"id"`
			State     string `json:"state"`
			ExpiresAt string `json:"expiresAt"`
		} `json:"items"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range page.Items {
		ids = append(ids, it.ID+":"+it.State)
	}
	return w.Code, ids
}

func TestListByLifecycleState(t *testing.T) {
	e := newEnv(t)
	must(t, e.admin("PUT", "/api/promotions/flash", `{"d":1}`), 201, "put flash")
	must(t, e.admin("PUT", "/api/promotions/later", `{"d":2}`), 201, "put later")
	must(t, e.admin("PUT", "/api/promotions/paused", `{"d":3}`), 201, "put paused")
	must(t, e.admin("PATCH", "/api/promotions/flash/lifecycle", `{"expiresAt":"`+e.svc.Now().Add(48*time.Hour).Format(time.RFC3339)+`"}`), 200, "expire flash")
	must(t, e.admin("PATCH", "/api/promotions/later/lifecycle", `{"expiresAt":"`+e.svc.Now().Add(30*24*time.Hour).Format(time.RFC3339)+`"}`), 200, "expire later")
	must(t, e.admin("PATCH", "/api/promotions/paused/lifecycle", `{"unavailableUntil":"`+e.svc.Now().Add(time.Hour).Format(time.RFC3339)+`"}`), 200, "pause")

	for _, tc := range []struct {
		query  string
		token  string
		status int
		want   []string
	}{
		{"state=moved", adminToken, 200, []string{"current:moved"}},
		{"state=unavailable", adminToken, 200, []string{"paused:unavailable"}},
		{"expiresWithin=7d", adminToken, 200, []string{"flash:live"}},
		{"expiresWithin=2d", adminToken, 200, []string{"flash:live"}},
		{"expiresWithin=47h", adminToken, 200, nil},
		{"expiresWithin=120d", adminToken, 200, []string{"flash:live", "later:live", "winter-sale-2026:live"}},
		{"state=gone&expiresWithin=1d", adminToken, 200, []string{"summer-sale-2025:expired"}},
		{"state=moved", readerToken, 403, nil},
		{"state=unavailable", "", 403, nil},
		{"expiresWithin=7d", "", 403, nil},
		{"state=expiring", adminToken, 400, nil},
		{"expiresWithin=soon", adminToken, 400, nil},
		{"expiresWithin=0", adminToken, 400, nil},
		{"expiresWithin=-1h", adminToken, 400, nil},
	} {
		status, ids := listIDs(t, e, tc.token, tc.query)
		if status != tc.status || !slices.Equal(ids, tc.want) {
			t.Errorf("GET /api/promotions?%s (token %q) = %d %q, want %d %q", tc.query, tc.token, status, ids, tc.status, tc.want)
		}
	}
}

func TestAuditFilters(t *testing.T) {
	e := newEnv(t)
	must(t, e.admin("PUT", "/api/users/7", `{"n":1}`), 201, "put")
	e.clock.Add(time.Hour)
	must(t, e.admin("DELETE", "/api/users/7?reason=user_request", ""), 200, "delete")
	type event struct{ Actor, Action, Collection, ID string }
	audit := func(query string) (int, []event) {
		w := e.do(req{path: "/api/audit?" + query, token: adminToken})
		var body struct{ Events []event }
		json.Unmarshal(w.Body.Bytes(), &body)
		return w.Code, body.Events
	}
	// Newest first, a page at a time: next continues with before=.
	var seen []string
	query := "order=newest&limit=1&collection=users&id=7"
	for page := 0; page < 5; page++ {
		w := e.do(req{path: "/api/audit?" + query, token: adminToken})
		must(t, w, 200, "GET /api/audit?"+query)
		var body struct {
			Events []struct{ Action string }
			Next   string
		}
		json.Unmarshal(w.Body.Bytes(), &body)
		for _, ev := range body.Events {
			seen = append(seen, ev.Action)
		}
		if body.Next == "" {
			break
		}
		query = "order=newest&limit=1&collection=users&id=7&before=" + body.Next
	}
	if want := []string{"soft_delete", "create"}; !slices.Equal(seen, want) {
		t.Errorf("users/7 newest first, a page at a time = %q, want %q", seen, want)
	}

	now := e.svc.Now()
	for _, tc := range []struct {
		query  string
		status int
		want   []string // action/id pairs
	}{
		{"actor=admin", 200, []string{"create/7", "soft_delete/7"}},
		{"actor=admin&action=soft_delete", 200, []string{"soft_delete/7"}},
		{"action=delete&collection=users", 200, []string{"delete/123"}},
		{"actor=demo&action=move", 200, []string{"move/current", "move/winter-sale-2026"}},
		{"since=" + now.Format(time.RFC3339), 200, []string{"soft_delete/7"}},
		{"since=" + now.Add(-2*time.Hour).Format(time.RFC3339) + "&until=" + now.Format(time.RFC3339), 200, []string{"create/7"}},
		{"actor=nobody", 200, nil},
		{"actor=admin&order=newest", 200, []string{"soft_delete/7", "create/7"}},
		{"actor=admin&order=oldest", 200, []string{"create/7", "soft_delete/7"}},
		{"order=sideways", 400, nil},
		{"before=-1", 400, nil},
		{"action=destroy", 400, nil},
		{"since=yesterday", 400, nil},
		{"until=2026-01-05", 400, nil},
	} {
		status, evs := audit(tc.query)
		var got []string
		for _, ev := range evs {
			got = append(got, ev.Action+"/"+ev.ID)
		}
		if status != tc.status || !slices.Equal(got, tc.want) {
			t.Errorf("GET /api/audit?%s = %d %q, want %d %q", tc.query, status, got, tc.status, tc.want)
		}
	}
}

func TestExplainRecordsTheRealAnswers(t *testing.T) {
	e := newEnv(t)
	must(t, e.admin("PUT", "/api/users/7", `{"n":1}`), 201, "put")
	must(t, e.admin("DELETE", "/api/users/7", ""), 200, "soft delete")
	type exchange struct {
		Status  int
		Headers map[string]string
		Body    string
	}
	type explained struct {
		State  string
		Steps  []struct{ Question, Answer string }
		Public struct {
			Status   int
			Response exchange
		}
		Admin struct {
			Status   int
			Response exchange
		}
	}
	for _, path := range []string{"/api/users/123", "/api/users/7", "/api/users/42", "/api/promotions/current", "/api/users/999"} {
		w := e.do(req{path: "/api/explain?path=" + path, token: adminToken, header: map[string]string{"Accept-Language": "es"}})
		must(t, w, 200, "explain "+path)
		var ex explained
		if err := json.Unmarshal(w.Body.Bytes(), &ex); err != nil {
			t.Fatal(err)
		}
		// The public's recorded answer is byte for byte what a public GET gets.
		real := e.do(req{path: path, header: map[string]string{"Accept-Language": "es"}})
		if ex.Public.Response.Status != real.Code || ex.Public.Response.Body != real.Body.String() {
			t.Errorf("explain %s: public response = %d %q, a real GET = %d %q", path, ex.Public.Response.Status, ex.Public.Response.Body, real.Code, real.Body.String())
		}
		for _, h := range []string{"Cache-Control", "Content-Type", "Location", "Content-Language"} {
			if got, want := ex.Public.Response.Headers[h], real.Header().Get(h); got != want {
				t.Errorf("explain %s: public %s = %q, a real GET sends %q", path, h, got, want)
			}
		}
		adminReal := e.do(req{path: path, token: adminToken, header: map[string]string{"Accept-Language": "es"}})
		if ex.Admin.Response.Status != adminReal.Code || ex.Admin.Response.Body != adminReal.Body.String() {
			t.Errorf("explain %s: admin response = %d %q, a real admin GET = %d %q", path, ex.Admin.Response.Status, ex.Admin.Response.Body, adminReal.Code, adminReal.Body.String())
		}
		if ex.Public.Status != ex.Public.Response.Status {
			t.Errorf("explain %s: public status %d but its response says %d", path, ex.Public.Status, ex.Public.Response.Status)
		}
	}

	// A mistyped collection is the unknown route, explained, not refused.
	w := e.do(req{path: "/api/explain?path=/api/usres/123", token: adminToken})
	must(t, w, 200, "explain /api/usres/123")
	var ex explained
	json.Unmarshal(w.Body.Bytes(), &ex)
	real := e.get("/api/usres/123")
	if len(ex.Steps) != 1 || ex.Steps[0].Question != "Route exists?" || !strings.Contains(ex.Steps[0].Answer, "/api/users/123") {
		t.Errorf("explain /api/usres/123: steps = %+v, want one route step suggesting /api/users/123", ex.Steps)
	}
	if ex.Public.Response.Status != 404 || ex.Public.Response.Body != real.Body.String() || ex.Admin.Response.Body != real.Body.String() {
		t.Errorf("explain /api/usres/123: public %d %q, admin %q; a real GET = %q", ex.Public.Response.Status, ex.Public.Response.Body, ex.Admin.Response.Body, real.Body.String())
	}
}

func TestConsoleIsServed(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/admin/", "/admin/app.js", "/admin/style.css"} {
		w := e.get(path)
		must(t, w, 200, "GET "+path)
		h := w.Header()
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "no-referrer",
		} {
			if got := h.Get(name); got != want {
				t.Errorf("GET %s: %s = %q, want %q", path, name, got, want)
			}
		}
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: Content-Security-Policy = %q, want it to hold %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") {
			t.Errorf("GET %s: Content-Security-Policy = %q allows something unsafe", path, csp)
		}
		// Revalidation answers 304.
		w2 := e.do(req{path: path, header: map[string]string{"If-None-Match": h.Get("ETag")}})
		must(t, w2, http.StatusNotModified, "GET "+path+" with If-None-Match")
	}
	if ct := e.get("/admin/app.js").Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("app.js Content-Type = %q, want text/javascript", ct)
	}
	must(t, e.get("/admin/nothing.js"), 404, "GET /admin/nothing.js")
	w := e.get("/admin")
	if w.Code/100 != 3 || w.Header().Get("Location") != "/admin/" {
		t.Errorf("GET /admin = %d Location %q, want a redirect to /admin/", w.Code, w.Header().Get("Location"))
	}
	must(t, e.do(req{method: "POST", path: "/admin/"}), 405, "POST /admin/")
}
