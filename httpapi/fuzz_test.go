package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzPath sends arbitrary paths through the whole handler: whatever the
// path, the answer is a known status with a well-formed body, never a 500,
// and openapi.json describes it.
// The seed corpus runs as an ordinary test.
func FuzzPath(f *testing.F) {
	for _, p := range []string{
		"/api/users/123", "/api/usres/123", "/api/users/999", "/api/users/%2F", "/api/users/..",
		"/api/users/./42", "/api//users/42", "/api/users/42/", "/api/users/%FF", "/api/users/%00",
		"/", "/api", "/api/", "/api/users", "/api/users/42/lifecycle", "/problems/gone",
		"/api/users/" + strings.Repeat("9", 300), "/api/ünïcode/1", "/api/users/a b",
	} {
		f.Add(p)
	}
	e := newUncheckedEnv(&testing.T{})
	e.contract = e.world.Contract()
	f.Fuzz(func(t *testing.T, p string) {
		e.t = t
		u, err := url.Parse("http://api.example.com" + p)
		if err != nil || !strings.HasPrefix(u.Path, "/") || strings.ContainsAny(p, " \t\r\n#?") {
			t.Skip()
		}
		w := e.do(req{path: u.EscapedPath()})
		switch w.Code {
		case 200, 308, 400, 401, 404, 405, 410, 503:
		default:
			t.Fatalf("GET %q: status %d: %s", p, w.Code, w.Body)
		}
		if w.Code >= 400 {
			var m map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil || m["status"] != float64(w.Code) {
				t.Fatalf("GET %q: not a problem: %q", p, w.Body)
			}
		}
	})
}

// FuzzPutBody writes arbitrary bodies: either the write is refused with a
// 4xx problem, or what is read back is exactly the object that was sent;
// openapi.json describes every answer.
func FuzzPutBody(f *testing.F) {
	for _, b := range []string{
		`{}`, `{"a":1}`, `{"a":{"b":[1,2,{"c":null}]}}`, `[]`, `null`, `"x"`, `{"a":1}x`, `{"a":1,"a":2}`,
		`{"n":12345678901234567890}`, "{\"a\":\"\xff\"}", `{"a":"\u0000"}`, ` {"a" : 1 } `, `{`,
	} {
		f.Add(b)
	}
	e := newUncheckedEnv(&testing.T{})
	e.contract = e.world.Contract()
	f.Fuzz(func(t *testing.T, body string) {
		e.t = t
		if body == "" {
			t.Skip()
		}
		w := e.do(req{method: http.MethodPut, path: "/api/promotions/fuzz", body: body, token: adminToken})
		switch {
		case w.Code == 200 || w.Code == 201:
			got := e.get("/api/promotions/fuzz")
			var sent, read any
			if json.Unmarshal([]byte(body), &sent) != nil || json.Unmarshal(got.Body.Bytes(), &read) != nil {
				t.Fatalf("PUT %q accepted but not JSON on read: %q", body, got.Body)
			}
			if a, b := mustJSON(sent), mustJSON(read); a != b {
				t.Fatalf("PUT %q: read back %s, want %s", body, b, a)
			}
		case w.Code == 400 || w.Code == 413:
		default:
			t.Fatalf("PUT %q: status %d: %s", body, w.Code, w.Body)
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
