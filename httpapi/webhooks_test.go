package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestWebhooksAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	steps := []struct {
		name       string
		r          req
		wantStatus int
		wantBody   []string // fragments
		notBody    []string
	}{
		{"create", req{method: "POST", path: "/webhooks", token: adminToken,
			body: `{"name":"site","url":"https://example.com/hooks","collections":["users"],"types":["gone","moved"]}`},
			201, []string{`"secret":"whsec_`, `"kind":"webhook"`, `"createdBy":"admin"`}, nil},
		{"taken name", req{method: "POST", path: "/webhooks", token: adminToken, body: `{"name":"site","url":"https://example.com/"}`},
			409, []string{"already named"}, nil},
		{"bad fields", req{method: "POST", path: "/webhooks", token: adminToken,
			body: `{"name":"Bad Name","kind":"squid","url":"ftp://x","types":["eaten"],"pathPrefix":"api"}`},
			400, []string{`"name"`, `"kind"`, `"url"`, `"types"`, `"pathPrefix"`}, nil},
		{"secret on a purge target", req{method: "POST", path: "/webhooks", token: adminToken,
			body: `{"name":"cache","kind":"varnish","url":"http://127.0.0.1:6081","secret":"whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}`},
			400, []string{`"secret"`}, nil},
		{"unknown field", req{method: "POST", path: "/webhooks", token: adminToken, body: `{"name":"x","url":"https://e.com","filter":{}}`},
			400, nil, nil},
		{"purge target", req{method: "POST", path: "/webhooks", token: adminToken,
			body: `{"name":"cache","kind":"nginx","url":"http://127.0.0.1:8081","host":"www.example.com"}`},
			201, []string{`"kind":"nginx"`, `"host":"www.example.com"`}, []string{"secret"}},
		{"reader refused", req{path: "/webhooks", token: readerToken}, 403, nil, nil},
		{"anonymous refused", req{path: "/webhooks"}, 401, nil, nil},
		{"list hides secrets", req{path: "/webhooks", token: adminToken}, 200, []string{`"name":"cache"`, `"name":"site"`}, []string{"whsec_"}},
		{"one", req{path: "/webhooks/site", token: adminToken}, 200, []string{`"queued":0`, `"failures":0`}, []string{"whsec_"}},
		{"unknown", req{path: "/webhooks/nothing", token: adminToken}, 404, nil, nil},
		{"pause", req{method: "PATCH", path: "/webhooks/site", token: adminToken, body: `{"paused":true}`},
			200, []string{`"pausedAt"`, `"pausedReason":"paused by admin"`}, nil},
		{"resume and refilter", req{method: "PATCH", path: "/webhooks/site", token: adminToken, body: `{"paused":false,"pathPrefix":"/api/users/"}`},
			200, []string{`"pathPrefix":"/api/users/"`, `"types":["gone","moved"]`}, []string{"pausedAt"}},
		{"bad change leaves it", req{method: "PATCH", path: "/webhooks/site", token: adminToken, body: `{"url":"nope"}`}, 400, nil, nil},
		{"unchanged after the refusal", req{path: "/webhooks/site", token: adminToken}, 200, []string{`"url":"https://example.com/hooks"`}, nil},
		{"rename refused", req{method: "PATCH", path: "/webhooks/site", token: adminToken, body: `{"name":"other"}`}, 400, nil, nil},
		{"delete", req{method: "DELETE", path: "/webhooks/site", token: adminToken}, 204, nil, nil},
		{"delete again", req{method: "DELETE", path: "/webhooks/site", token: adminToken}, 404, nil, nil},
	}
	for _, st := range steps {
		w := e.do(st.r)
		body := w.Body.String()
		if w.Code != st.wantStatus {
			t.Errorf("%s: %s %s = %d, want %d\n%s", st.name, st.r.method, st.r.path, w.Code, st.wantStatus, body)
			continue
		}
		for _, f := range st.wantBody {
			if !strings.Contains(body, f) {
				t.Errorf("%s: body lacks %s:\n%s", st.name, f, body)
			}
		}
		for _, f := range st.notBody {
			if strings.Contains(body, f) {
				t.Errorf("%s: body holds %s:\n%s", st.name, f, body)
			}
		}
		if st.wantStatus/100 == 2 && st.wantStatus != 204 && !json.Valid(w.Body.Bytes()) {
			t.Errorf("%s: body is not JSON: %s", st.name, body)
		}
	}
}
