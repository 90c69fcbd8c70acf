package contract_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gonehttp/gone/internal/contract"
	"github.com/gonehttp/gone/internal/demotest"
)

// The checker must catch each kind of drift, and say where it is: the
// request, the operation, the status and the member or header.
func TestCheckFindsDrift(t *testing.T) {
	w := demotest.New(t)
	h := w.UncheckedHandler(nil)
	spec, err := contract.Served(h)
	if err != nil {
		t.Fatal(err)
	}
	c, err := contract.Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	problem := func(status int, extra string) string {
		return `{"type":"/problems/x","title":"T","status":` + strconv.Itoa(status) +
			`,"detail":"d","instance":"/i","error":"T","message":"d"` + extra + `}`
	}
	probHeader := func(more ...string) http.Header {
		h := http.Header{"Content-Type": {"application/problem+json"}, "Cache-Control": {"max-age=60"}}
		for i := 0; i+1 < len(more); i += 2 {
			h.Set(more[i], more[i+1])
		}
		return h
	}
	live := http.Header{"Content-Type": {"application/json"}, "Etag": {`"1"`}, "Last-Modified": {"Sun, 22 Nov 2026 12:00:00 GMT"}, "Cache-Control": {"no-cache"}}
	tests := []struct {
		name         string
		method, path string
		token        string
		status       int
		header       http.Header
		body         string
		want         []string // fragments of the error; none: valid
	}{
		{"live resource", "GET", "/api/users/42", "", 200, live, `{"name":"Ada"}`, nil},
		{"a 404 problem", "GET", "/api/users/999", "", 404, probHeader(), problem(404, ""), nil},
		{"a problem lacking title", "GET", "/api/users/999", "", 404, probHeader(),
			`{"type":"/problems/x","status":404,"detail":"d","instance":"/i","error":"T","message":"d"}`,
			[]string{"GET /api/users/999 answered 404", "readResource (GET /api/{collection}/{id})", "status 404", "title"}},
		{"a problem with an undocumented member", "GET", "/api/users/999", "", 404, probHeader(), problem(404, `,"hint":"x"`),
			[]string{"readResource", "hint"}},
		{"an undocumented status", "GET", "/api/users/42", "", 418, probHeader(), problem(418, ""),
			[]string{"status 418", "does not document this status"}},
		{"a required header missing", "GET", "/api/users/42", "", 200,
			http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-cache"}}, `{}`,
			[]string{"status 200", "ETag", "Last-Modified"}},
		{"a 308 without Location", "GET", "/api/users/42", "", 308, http.Header{"Cache-Control": {"no-cache"}}, "",
			[]string{"status 308", "Location"}},
		{"a 401 without WWW-Authenticate", "GET", "/api/audit", "", 401, probHeader(), problem(401, ""),
			[]string{"readAudit", "status 401", "WWW-Authenticate"}},
		{"a body of another media type", "GET", "/api/users/42", "", 200,
			http.Header{"Content-Type": {"text/html"}, "Etag": {`"1"`}, "Last-Modified": {"x"}, "Cache-Control": {"no-cache"}}, `<p>`,
			[]string{"status 200", "text/html"}},
		{"a live list item with a lifecycle member", "GET", "/api/users", "", 200, http.Header{"Content-Type": {"application/json"}},
			`{"items":[{"id":"42","data":{},"state":"live"}]}`, []string{"listResources", "items/0"}},
		{"a trash item", "GET", "/api/users?state=deleted", demotest.AdminToken, 200, http.Header{"Content-Type": {"application/json"}},
			`{"items":[{"collection":"users","id":"5","state":"deleted","version":2,"data":{"a":1}}]}`, nil},
		{"a trash item with a text version", "GET", "/api/users?state=deleted", demotest.AdminToken, 200, http.Header{"Content-Type": {"application/json"}},
			`{"items":[{"collection":"users","id":"5","state":"deleted","version":"2"}]}`, []string{"listResources", "items/0"}},
		{"a request the document refuses, accepted", "GET", "/api/users?limit=0", "", 200, http.Header{"Content-Type": {"application/json"}},
			`{"items":[]}`, []string{"accepted a request openapi.json refuses", "limit"}},
		{"the same request, refused", "GET", "/api/users?limit=0", "", 400, probHeader(), problem(400, `,"errors":{"limit":"x"}`), nil},
		{"an admin route without a token, served", "GET", "/api/audit", "", 200, http.Header{"Content-Type": {"application/json"}},
			`{"events":[]}`, []string{"accepted a request", "security"}},
		{"an unknown route answered 200", "GET", "/nowhere/at/all", "", 200, http.Header{"Content-Type": {"text/plain"}}, "hi",
			[]string{"no operation in openapi.json describes the request", "status 200"}},
		{"an unknown route answered a problem", "GET", "/nowhere/at/all", "", 404, probHeader(), problem(404, `,"suggestion":"/api/users"`), nil},
		{"a method no operation has", "TRACE", "/api/users", "", 204, http.Header{}, "",
			[]string{"TRACE /api/users answered 204", "no operation"}},
		{"HEAD as GET", "HEAD", "/api/users/42", "", 200, live, `{"name":"Ada"}`, nil},
		{"HEAD with a status GET lacks", "HEAD", "/api/users/42", "", 409, probHeader(), "",
			[]string{"headReadResource", "status 409"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.token != "" {
				r.Header.Set("Authorization", "Bearer "+tt.token)
			}
			err := c.Check(contract.Exchange{Request: r, Status: tt.status, Header: tt.header, Body: []byte(tt.body)})
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("Check: %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Check: nil, want an error naming %q", tt.want)
			}
			t.Log(err)
			for _, f := range tt.want {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("Check: %v\nwant it to name %q", err, f)
				}
			}
		})
	}
}

// Handler reports a mismatch on the test, and passes the answer through.
func TestHandlerReports(t *testing.T) {
	w := demotest.New(t)
	bad := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusTeapot)
		rw.Write([]byte(`{}`))
	})
	ft := &fakeT{TB: t}
	spec, err := contract.Served(w.UncheckedHandler(nil))
	if err != nil {
		t.Fatal(err)
	}
	c, err := contract.Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	contract.Handler(ft, c, bad).ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusTeapot || rec.Body.String() != `{}` {
		t.Errorf("answer through the check: %d %q", rec.Code, rec.Body)
	}
	if len(ft.errs) != 1 || !strings.Contains(ft.errs[0], "healthz") || !strings.Contains(ft.errs[0], "status 418") {
		t.Errorf("reported %q, want one error naming healthz and status 418", ft.errs)
	}
}

// fakeT records errors instead of failing the test.
type fakeT struct {
	testing.TB
	errs []string
}

func (f *fakeT) Error(args ...any) {
	for _, a := range args {
		if e, ok := a.(error); ok {
			f.errs = append(f.errs, e.Error())
		}
	}
}
