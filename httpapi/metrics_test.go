package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gonehttp/gone/edge"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/inbox"
	"github.com/gonehttp/gone/metrics"
)

// newMetricsEnv is newEnv with metrics on.
func newMetricsEnv(t *testing.T) (*env, *prometheus.Registry) {
	t.Helper()
	e := newEnv(t)
	reg := prometheus.NewRegistry()
	api := e.world.API(nil, httpapi.WithMetrics(reg), httpapi.WithInbox(inbox.New(e.svc, e.world.Store, nil, nil)))
	e.h = e.world.Check(edge.Handler(api, edge.Config{Metrics: metrics.NewHTTP(reg)}))
	return e, reg
}

// sweep sends requests that between them reach most statuses of most
// routes.
var sweep = []req{
	{path: "/api/users/42"},
	{path: "/api/users/42", header: map[string]string{"If-None-Match": "*"}},
	{path: "/api/users/123"},
	{path: "/api/users/999"},
	{path: "/api/users/bad%20id"},
	{path: "/api/promotions/summer-sale-2025"},
	{path: "/api/promotions/current"},
	{path: "/api/accounts/7"},
	{path: "/api/users", token: readerToken},
	{path: "/api/users?state=deleted", token: readerToken},
	{path: "/api/users?limit=x"},
	{method: "PUT", path: "/api/users/new1", body: `{"a":1}`, token: adminToken},
	{method: "PUT", path: "/api/users/new1", body: `{"a":2}`, token: adminToken},
	{method: "PUT", path: "/api/users/new1", body: `{"a":3}`, token: adminToken, header: map[string]string{"If-Match": `"99"`}},
	{method: "PUT", path: "/api/users/123", body: `{"a":1}`, token: adminToken},
	{method: "PUT", path: "/api/users/new2", body: `[1]`, token: adminToken},
	{method: "PUT", path: "/api/users/new2", body: `{"a":1}`, token: adminToken, header: map[string]string{"Content-Type": "text/plain"}},
	{method: "PUT", path: "/api/users/new2", body: `{"a":1}`, token: readerToken},
	{method: "PUT", path: "/api/users/new2", body: `{"a":1}`},
	{method: "POST", path: "/api/users", body: `{"a":1}`, token: adminToken},
	{method: "PATCH", path: "/api/users/42", body: `{"a":1}`, token: adminToken},
	{method: "PATCH", path: "/api/users/123", body: `{"a":1}`, token: adminToken},
	{method: "DELETE", path: "/api/users/new1", token: adminToken},
	{method: "DELETE", path: "/api/users/123", token: adminToken},
	{method: "DELETE", path: "/api/users/999", token: adminToken},
	{method: "DELETE", path: "/api/users/42?permanent=maybe", token: adminToken},
	{method: "POST", path: "/api/users/new1/restore", token: adminToken},
	{method: "POST", path: "/api/users/new1/restore", token: adminToken},
	{method: "POST", path: "/api/users/123/restore", token: adminToken},
	{method: "POST", path: "/api/users/42/move", body: `{"to":"43"}`, token: adminToken},
	{method: "POST", path: "/api/users/43/move", body: `{"to":"new1"}`, token: adminToken},
	{method: "POST", path: "/api/users/123/move", body: `{"to":"x"}`, token: adminToken},
	{method: "POST", path: "/api/users/43/move", body: `{"too":"x"}`, token: adminToken},
	{path: "/api/users/43/lifecycle", token: adminToken},
	{path: "/api/users/nobody/lifecycle", token: adminToken},
	{method: "PATCH", path: "/api/users/43/lifecycle", body: `{"deprecatedAt":"2026-01-01T00:00:00Z"}`, token: adminToken},
	{method: "PATCH", path: "/api/users/43/lifecycle", body: `{"deprecatedAt":"soon"}`, token: adminToken},
	{method: "PATCH", path: "/api/users/42/lifecycle", body: `{"expiresAt":null}`, token: adminToken},
	{path: "/api/audit", token: adminToken},
	{path: "/api/audit?limit=0", token: adminToken},
	{path: "/api/audit", token: readerToken},
	{path: "/api/explain?path=/api/users/123", token: adminToken},
	{path: "/api/explain?path=nope", token: adminToken},
	{path: "/problems/gone"},
	{path: "/problems/nope"},
	{path: "/healthz"},
	{path: "/readyz"},
	{path: "/openapi.json"},
	{path: "/healthz", token: "wrong"},
	{method: "DELETE", path: "/healthz"},
	{path: "/api//users"},
	{path: "/nowhere"},
}

// TestMetricsSweepIsDocumented sends the sweep and checks, from the
// server's own request counter, that every status a route sent is in
// openapi.json for that route.
func TestMetricsSweepIsDocumented(t *testing.T) {
	e, reg := newMetricsEnv(t)
	for _, r := range sweep {
		e.do(r)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	w := e.get("/openapi.json")
	must(t, w, http.StatusOK, "GET /openapi.json")
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("GET /openapi.json: %v", err)
	}

	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	seen := map[string]bool{}
	for _, f := range families {
		if f.GetName() != "gone_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			route, status := labels["route"], labels["status"]
			seen[route+" "+status] = true
			method, path, ok := strings.Cut(route, " ")
			if !ok {
				// "none" (answered before routing) and "/" (the catch-all:
				// unknown routes and 405) are documented on every operation.
				continue
			}
			raw, ok := doc.Paths[path][strings.ToLower(method)]
			if !ok {
				t.Errorf("route %s sent %s but is not in openapi.json", route, status)
				continue
			}
			var op struct {
				Responses map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("openapi.json %s: %v", route, err)
			}
			if _, ok := op.Responses[status]; !ok {
				t.Errorf("route %s sent %s, which openapi.json does not document for it", route, status)
			}
		}
	}
	// The sweep really reached the statuses it is meant to.
	for _, want := range []string{
		"GET /api/{collection}/{id} 200", "GET /api/{collection}/{id} 304", "GET /api/{collection}/{id} 308",
		"GET /api/{collection}/{id} 404", "GET /api/{collection}/{id} 410", "GET /api/{collection}/{id} 401",
		"PUT /api/{collection}/{id} 201", "PUT /api/{collection}/{id} 409", "PUT /api/{collection}/{id} 412",
		"PUT /api/{collection}/{id} 415", "PUT /api/{collection}/{id} 403", "DELETE /api/{collection}/{id} 410",
		"POST /api/{collection}/{id}/restore 409", "POST /api/{collection}/{id}/move 200",
		"none 401", "none 404", "/ 405", "/ 404", "GET /readyz 200",
	} {
		if !seen[want] {
			t.Errorf("the sweep never sent %s", want)
		}
	}
}

func TestMetricsEndpoint(t *testing.T) {
	e, reg := newMetricsEnv(t)
	e.get("/api/users/42")
	e.get("/api/users/123")
	e.get("/api/users/123")
	e.get("/api/users/999")

	if got := counter(t, reg, "gone_decisions_total", "answer", "gone"); got != 2 {
		t.Errorf("gone_decisions_total{answer=gone} = %v, want 2", got)
	}
	if got := counter(t, reg, "gone_decisions_total", "answer", "not_found"); got != 1 {
		t.Errorf("gone_decisions_total{answer=not_found} = %v, want 1", got)
	}

	w := e.do(req{path: "/metrics", token: readerToken})
	must(t, w, http.StatusOK, "GET /metrics")
	body := w.Body.String()
	for _, want := range []string{
		`gone_http_requests_total{route="GET /api/{collection}/{id}",status="410"} 2`,
		`gone_decisions_total{answer="ok"} 1`,
		`gone_http_request_duration_seconds_bucket{route="GET /api/{collection}/{id}"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /metrics: body lacks %q:\n%s", want, body)
		}
	}
}

// counter reads one counter back from the registry by name and label
// pairs; 0 when it was never counted.
func counter(t *testing.T, reg *prometheus.Registry, name string, labelPairs ...string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	want := map[string]string{}
	for i := 0; i+1 < len(labelPairs); i += 2 {
		want[labelPairs[i]] = labelPairs[i+1]
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if v, ok := want[l.GetName()]; ok && v != l.GetValue() {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func TestNoMetricsRouteWithoutMetrics(t *testing.T) {
	e := newEnv(t)
	if w := e.get("/metrics"); w.Code != http.StatusNotFound {
		t.Errorf("GET /metrics without WithMetrics: status = %d, want 404", w.Code)
	}
}

// Who may read /metrics: a token with the read scope on every collection
// by default; anyone with MetricsPublic; no one (no route) with
// MetricsHidden, which the proxy's public listener uses.
func TestMetricsAccess(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		access []httpapi.Option
		token  string
		want   int
	}{
		{"default, anonymous", nil, "", http.StatusUnauthorized},
		{"default, read token", nil, readerToken, http.StatusOK},
		{"default, admin token", nil, adminToken, http.StatusOK},
		{"default, token for one collection", nil, "users only", http.StatusForbidden},
		{"public, anonymous", []httpapi.Option{httpapi.WithMetricsAccess(httpapi.MetricsPublic)}, "", http.StatusOK},
		{"hidden, read token", []httpapi.Option{httpapi.WithMetricsAccess(httpapi.MetricsHidden)}, readerToken, http.StatusNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			token := c.token
			if token == "users only" {
				token = e.createToken(`{"name":"users-reader","scopes":["read"],"collections":["users"]}`)
			}
			reg := prometheus.NewRegistry()
			api := e.world.API(nil, append([]httpapi.Option{httpapi.WithMetrics(reg)}, c.access...)...)
			e.h = e.world.Check(edge.Handler(api, edge.Config{Metrics: metrics.NewHTTP(reg)}))
			w := e.do(req{path: "/metrics", token: token})
			if w.Code != c.want {
				t.Errorf("GET /metrics: status = %d, want %d", w.Code, c.want)
			}
			if c.want == http.StatusOK && !strings.Contains(w.Body.String(), "gone_http_shed_total") {
				t.Errorf("GET /metrics: body lacks gone_http_shed_total:\n%s", w.Body)
			}
		})
	}
}
