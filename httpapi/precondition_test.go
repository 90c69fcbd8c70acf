package httpapi_test

import (
	"context"
	"testing"
)

// Every state-changing method evaluates If-Match, If-Unmodified-Since and
// If-None-Match in RFC 9110 §13.2.2's order; a failed one is 412 with the
// current ETag, and nothing changes. users/42 is live at version 1, last
// modified 2025-11-02T09:00:00Z.
func TestPreconditionsOnEveryWrite(t *testing.T) {
	const (
		before = "Sat, 01 Nov 2025 00:00:00 GMT"
		after  = "Mon, 03 Nov 2025 00:00:00 GMT"
	)
	softDelete := func(e *env) { must(t, e.admin("DELETE", "/api/users/42", ""), 200, "soft delete") }
	tests := []struct {
		name         string
		setup        func(*env)
		method, path string
		body         string
		header       map[string]string
		want         int
		wantETag     string // on 412
	}{
		{"PUT stale If-Match", nil, "PUT", "/api/users/42", `{"x":1}`, map[string]string{"If-Match": `"99"`}, 412, `"1"`},
		{"PUT weak If-Match", nil, "PUT", "/api/users/42", `{"x":1}`, map[string]string{"If-Match": `W/"1"`}, 412, `"1"`},
		{"PUT If-Match in a list", nil, "PUT", "/api/users/42", `{"x":1}`, map[string]string{"If-Match": `"7", "1"`}, 200, ""},
		{"PUT If-None-Match * on an existing id", nil, "PUT", "/api/users/42", `{"x":1}`, map[string]string{"If-None-Match": "*"}, 412, `"1"`},
		{"PUT If-None-Match * creates", nil, "PUT", "/api/users/new1", `{"x":1}`, map[string]string{"If-None-Match": "*"}, 201, ""},
		{"PUT If-None-Match current ETag", nil, "PUT", "/api/users/42", `{"x":1}`, map[string]string{"If-None-Match": `W/"1"`}, 412, `"1"`},
		{"PUT If-None-Match other ETag", nil, "PUT", "/api/users/42", `{"x":1}`, map[string]string{"If-None-Match": `"99"`}, 200, ""},
		{"PUT If-Unmodified-Since before the change", nil, "PUT", "/api/users/42", `{"x":1}`, map[string]string{"If-Unmodified-Since": before}, 412, `"1"`},
		{"PUT If-Unmodified-Since after the change", nil, "PUT", "/api/users/42", `{"x":1}`, map[string]string{"If-Unmodified-Since": after}, 200, ""},
		{"PUT If-Match wins over If-Unmodified-Since", nil, "PUT", "/api/users/42", `{"x":1}`, map[string]string{"If-Match": `"1"`, "If-Unmodified-Since": before}, 200, ""},
		{"PUT If-Match then If-None-Match", nil, "PUT", "/api/users/42", `{"x":1}`, map[string]string{"If-Match": `"1"`, "If-None-Match": "*"}, 412, `"1"`},
		{"PUT If-Match on an unknown id", nil, "PUT", "/api/users/new2", `{"x":1}`, map[string]string{"If-Match": "*"}, 412, ""},
		{"PATCH stale If-Match", nil, "PATCH", "/api/users/42", `{"x":1}`, map[string]string{"If-Match": `"99"`}, 412, `"1"`},
		{"PATCH If-Unmodified-Since", nil, "PATCH", "/api/users/42", `{"x":1}`, map[string]string{"If-Unmodified-Since": before}, 412, `"1"`},
		{"DELETE stale If-Match", nil, "DELETE", "/api/users/42", "", map[string]string{"If-Match": `"99"`}, 412, `"1"`},
		{"DELETE matching If-Match", nil, "DELETE", "/api/users/42", "", map[string]string{"If-Match": `"1"`}, 200, ""},
		{"DELETE If-Unmodified-Since", nil, "DELETE", "/api/users/42?permanent=true", "", map[string]string{"If-Unmodified-Since": before}, 412, `"1"`},
		{"DELETE If-None-Match *", nil, "DELETE", "/api/users/42", "", map[string]string{"If-None-Match": "*"}, 412, `"1"`},
		{"DELETE of an unknown id ignores preconditions", nil, "DELETE", "/api/users/nope", "", map[string]string{"If-Match": `"99"`}, 404, ""},
		{"restore stale If-Match", softDelete, "POST", "/api/users/42/restore", "", map[string]string{"If-Match": `"1"`}, 412, `"2"`},
		{"restore matching If-Match", softDelete, "POST", "/api/users/42/restore", "", map[string]string{"If-Match": `"2"`}, 200, ""},
		{"move stale If-Match", nil, "POST", "/api/users/42/move", `{"to":"43"}`, map[string]string{"If-Match": `"99"`}, 412, `"1"`},
		{"move If-Unmodified-Since", nil, "POST", "/api/users/42/move", `{"to":"43"}`, map[string]string{"If-Unmodified-Since": before}, 412, `"1"`},
		{"move matching If-Match", nil, "POST", "/api/users/42/move", `{"to":"43"}`, map[string]string{"If-Match": `"1"`}, 200, ""},
		{"lifecycle stale If-Match", nil, "PATCH", "/api/users/42/lifecycle", `{"alternative":"/api/users"}`, map[string]string{"If-Match": `"99"`}, 412, `"1"`},
		{"lifecycle If-None-Match *", nil, "PATCH", "/api/users/42/lifecycle", `{"alternative":"/api/users"}`, map[string]string{"If-None-Match": "*"}, 412, `"1"`},
		{"lifecycle matching If-Match", nil, "PATCH", "/api/users/42/lifecycle", `{"alternative":"/api/users"}`, map[string]string{"If-Match": `"1"`}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.setup != nil {
				tt.setup(e)
			}
			before, _ := e.svc.Record(context.Background(), "users", "42")
			w := e.do(req{method: tt.method, path: tt.path, body: tt.body, token: adminToken, header: tt.header})
			if w.Code != tt.want {
				t.Fatalf("%s %s %v: status = %d, want %d; body %s", tt.method, tt.path, tt.header, w.Code, tt.want, w.Body.String())
			}
			if tt.want != 412 {
				return
			}
			if got := w.Header().Get("ETag"); got != tt.wantETag {
				t.Errorf("412 ETag = %q, want %q", got, tt.wantETag)
			}
			if got := members(t, w)["type"]; got != "/problems/precondition-failed" {
				t.Errorf("412 type = %v", got)
			}
			after, _ := e.svc.Record(context.Background(), "users", "42")
			if before != nil && (after == nil || after.Version != before.Version) {
				t.Errorf("a failed precondition changed users/42: version %d → %+v", before.Version, after)
			}
		})
	}
}
