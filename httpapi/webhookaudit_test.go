package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestWebhookChangesAudited checks that creating, changing, pausing,
// resuming and deleting a subscription each leave one audit record (who,
// what, why) that GET /api/audit returns, that a refused change leaves
// none, and that the secret is in none of them.
func TestWebhookChangesAudited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	create := e.admin("POST", "/webhooks", `{"name":"site","url":"https://ops:hunter2@example.com/hooks","types":["gone"],"reason":"CDN purges"}`)
	must(t, create, 201, "create")
	var created struct{ Secret string }
	if err := json.Unmarshal(create.Body.Bytes(), &created); err != nil || !strings.HasPrefix(created.Secret, "whsec_") {
		t.Fatalf("create answered %s; want a secret", create.Body)
	}
	steps := []struct {
		method, path, body string
		want               int
	}{
		{"PATCH", "/webhooks/site", `{"url":"nope"}`, 400}, // refused: no record
		{"PATCH", "/webhooks/site", `{"pathPrefix":"/api/users/","secret":"whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}`, 200},
		{"PATCH", "/webhooks/site", `{"paused":true,"reason":"receiver moving"}`, 200},
		{"PATCH", "/webhooks/site", `{"paused":false}`, 200},
		{"PATCH", "/webhooks/site", `{"reason":"` + strings.Repeat("x", 501) + `"}`, 400},
		{"DELETE", "/webhooks/site?reason=replaced+by+cache", "", 204},
		{"DELETE", "/webhooks/site", "", 404},
	}
	for _, st := range steps {
		must(t, e.admin(st.method, st.path, st.body), st.want, st.method+" "+st.path+" "+st.body)
	}

	w := e.admin("GET", "/api/audit?collection=webhooks&id=site", "")
	must(t, w, 200, "audit")
	body := w.Body.String()
	for _, secret := range []string{created.Secret, "whsec_c2VjcmV0", "hunter2"} {
		if strings.Contains(body, secret) {
			t.Errorf("audit holds %q:\n%s", secret, body)
		}
	}
	var got struct {
		Events []struct{ Actor, Action, Collection, ID, Reason, Detail string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := []struct{ action, reason, detail string }{
		{"webhook_create", "CDN purges", "kind=webhook url=https://ops:xxxxx@example.com/hooks types=gone"},
		{"webhook_update", "", "pathPrefix=/api/users/ secret changed"},
		{"webhook_pause", "receiver moving", "paused by admin: receiver moving"},
		{"webhook_resume", "", "was paused by admin: receiver moving"},
		{"webhook_delete", "replaced by cache", "kind=webhook url=https://ops:xxxxx@example.com/hooks pathPrefix=/api/users/ types=gone"},
	}
	if len(got.Events) != len(want) {
		t.Fatalf("audit of webhooks/site = %d events, want %d:\n%s", len(got.Events), len(want), body)
	}
	for i, w := range want {
		g := got.Events[i]
		if g.Action != w.action || g.Actor != "admin" || g.Collection != "webhooks" || g.ID != "site" || g.Reason != w.reason || g.Detail != w.detail {
			t.Errorf("event %d = %+v;\nwant %s by admin of webhooks/site, reason %q, detail %q", i, g, w.action, w.reason, w.detail)
		}
	}
	// The action filter knows the new actions.
	must(t, e.admin("GET", "/api/audit?action=webhook_pause", ""), 200, "audit by action")
}
