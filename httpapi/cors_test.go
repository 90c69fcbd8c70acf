package httpapi_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/demotest"
)

const appOrigin = "https://app.example.com"

// corsEnv is the demo server with CORS configured.
func corsEnv(t *testing.T, c answer.CORSPolicy) *env {
	t.Helper()
	w := demotest.New(t)
	return &env{t: t, h: w.Handler(nil, httpapi.WithCORS(c)), svc: w.Service, store: w.Store, clock: w.Clock, path: w.Path}
}

func TestCORSPreflight(t *testing.T) {
	e := corsEnv(t, answer.CORSPolicy{Origins: []string{appOrigin, "*"}, Methods: []string{"GET", "HEAD", "DELETE"}})
	tests := []struct {
		name, path, origin, method, headers string
		want                                int
		wantOrigin                          string
	}{
		{"listed origin with a token", "/api/users/123", appOrigin, "GET", "authorization", 204, appOrigin},
		{"listed origin, allowed write", "/api/users/123", appOrigin, "DELETE", "authorization", 204, appOrigin},
		{"listed origin, method not configured", "/api/users/123", appOrigin, "PUT", "authorization, content-type", 403, ""},
		{"listed origin, unknown header", "/api/users/123", appOrigin, "GET", "x-evil", 403, ""},
		{"any origin, anonymous read", "/api/users/123", "https://other.example", "GET", "", 204, "*"},
		{"any origin, with a token", "/api/users/123", "https://other.example", "GET", "authorization", 403, ""},
		{"any origin, a write", "/api/users/123", "https://other.example", "DELETE", "", 403, ""},
		{"every route: audit", "/api/audit", appOrigin, "GET", "authorization", 204, appOrigin},
		{"every route: changes", "/api/changes", appOrigin, "GET", "authorization, last-event-id", 204, appOrigin},
		{"every route: healthz", "/healthz", appOrigin, "GET", "", 204, appOrigin},
		{"an unknown route, so its 404 can be read", "/api/usres/123", appOrigin, "GET", "authorization", 204, appOrigin},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{"Origin": tc.origin, "Access-Control-Request-Method": tc.method}
			if tc.headers != "" {
				h["Access-Control-Request-Headers"] = tc.headers
			}
			w := e.do(req{method: "OPTIONS", path: tc.path, header: h})
			if w.Code != tc.want {
				t.Fatalf("preflight %s from %s: status = %d, want %d; body %s", tc.method, tc.origin, w.Code, tc.want, w.Body)
			}
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != tc.wantOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tc.wantOrigin)
			}
			if !varies(w.Header(), "Origin") {
				t.Errorf("Vary = %q, want Origin in it", w.Header().Values("Vary"))
			}
			if tc.want == 403 {
				var p struct{ Status int }
				if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != 403 ||
					w.Header().Get("Content-Type") != "application/problem+json" {
					t.Errorf("403 is not a problem: %s %s", w.Header().Get("Content-Type"), w.Body)
				}
				return
			}
			if got := w.Header().Get("Access-Control-Max-Age"); got != "600" {
				t.Errorf("Access-Control-Max-Age = %q, want 600", got)
			}
			if tc.wantOrigin == appOrigin {
				if got := w.Header().Get("Access-Control-Allow-Methods"); got != "GET, HEAD, DELETE" {
					t.Errorf("Access-Control-Allow-Methods = %q", got)
				}
			}
			if tc.headers != "" && w.Header().Get("Access-Control-Allow-Headers") != tc.headers {
				t.Errorf("Access-Control-Allow-Headers = %q, want %q", w.Header().Get("Access-Control-Allow-Headers"), tc.headers)
			}
		})
	}
}

func TestCORSActualRequests(t *testing.T) {
	e := corsEnv(t, answer.CORSPolicy{Origins: []string{appOrigin, "*"}})
	exposed := []string{"ETag", "Retry-After", "Location", "Link", "Sunset", "Deprecation", "Content-Language"}
	tests := []struct {
		name, path, origin, token string
		want                      int
		wantOrigin                string
	}{
		{"listed origin reads a 410 with a token", "/api/users/123", appOrigin, readerToken, 410, appOrigin},
		{"listed origin reads a 404", "/api/users/999", appOrigin, "", 404, appOrigin},
		{"any origin reads anonymously", "/api/users/42", "https://other.example", "", 200, "*"},
		{"any origin with a token gets no CORS", "/api/users/42", "https://other.example", readerToken, 200, ""},
		{"a 401 is readable by a listed origin", "/api/audit", appOrigin, "", 401, appOrigin},
		{"no Origin: anonymous read still marked public", "/api/users/42", "", "", 200, "*"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.origin != "" {
				h["Origin"] = tc.origin
			}
			w := e.do(req{path: tc.path, token: tc.token, header: h})
			if w.Code != tc.want {
				t.Fatalf("GET %s: status = %d, want %d", tc.path, w.Code, tc.want)
			}
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != tc.wantOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tc.wantOrigin)
			}
			if w.Header().Get("Access-Control-Allow-Credentials") != "" {
				t.Error("Access-Control-Allow-Credentials sent; gone uses bearer tokens, never credentials")
			}
			if !varies(w.Header(), "Origin") {
				t.Errorf("Vary = %q, want Origin in it", w.Header().Values("Vary"))
			}
			if tc.wantOrigin == "" {
				return
			}
			got := strings.Split(w.Header().Get("Access-Control-Expose-Headers"), ", ")
			for _, x := range exposed {
				if !slices.Contains(got, x) {
					t.Errorf("Access-Control-Expose-Headers = %q, missing %s", got, x)
				}
			}
		})
	}
}

func TestCORSOff(t *testing.T) {
	e := newEnv(t)
	w := e.do(req{path: "/api/users/123", header: map[string]string{"Origin": appOrigin}})
	if w.Header().Get("Access-Control-Allow-Origin") != "" || varies(w.Header(), "Origin") {
		t.Errorf("CORS headers without configuration: %v", w.Header())
	}
	w = e.do(req{method: "OPTIONS", path: "/api/users/123",
		header: map[string]string{"Origin": appOrigin, "Access-Control-Request-Method": "GET"}})
	if w.Code != 403 {
		t.Errorf("preflight without configuration: status = %d, want 403", w.Code)
	}
	// A plain OPTIONS lists the methods, where it used to answer 405.
	w = e.do(req{method: "OPTIONS", path: "/api/users/123"})
	if w.Code != 204 || !strings.Contains(w.Header().Get("Allow"), "DELETE") {
		t.Errorf("OPTIONS: status = %d, Allow = %q; want 204 and the methods", w.Code, w.Header().Get("Allow"))
	}
}

func TestCORSStarOnlyDoesNotVary(t *testing.T) {
	e := corsEnv(t, answer.CORSPolicy{Origins: []string{"*"}})
	w := e.do(req{path: "/api/users/42", header: map[string]string{"Origin": "https://x.example"}})
	if w.Header().Get("Access-Control-Allow-Origin") != "*" || varies(w.Header(), "Origin") {
		t.Errorf("with * only: ACAO = %q, Vary = %q; want * and no Vary: Origin",
			w.Header().Get("Access-Control-Allow-Origin"), w.Header().Values("Vary"))
	}
}
