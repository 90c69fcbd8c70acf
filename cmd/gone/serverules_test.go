package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// gone serve answers its path rules on the paths no route of its API
// serves, as gone proxy does in front of a site: a retired path is 410, a
// moved one 308, an unknown one still the API's 404 with its suggestion;
// the API's own routes are untouched by a rule.
func TestServeAnswersPathRules(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _ := serveInProcess(t, ctx)
	base := "http://" + addr
	for _, rule := range []string{
		`{"path":"/old-docs/","prefix":true,"action":"gone","reason":"The old documentation was retired"}`,
		`{"path":"/pricing.html","action":"moved","to":"/api"}`,
		`{"path":"/api/users","prefix":true,"action":"gone"}`,
	} {
		req, _ := http.NewRequest("POST", base+"/rules", strings.NewReader(rule))
		req.Header.Set("Authorization", "Bearer ops-token")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("POST /rules %s: %d %s", rule, resp.StatusCode, body)
		}
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []struct {
		path string
		want int
		has  string
	}{
		{"/old-docs/intro.html", 410, "The old documentation was retired"},
		// Another spelling of the same path, as the proxy reads it.
		{"/old%2Ddocs/intro.html", 410, "The old documentation was retired"},
		{"/old-docs//intro.html", 410, "The old documentation was retired"},
		{"/x/../old-docs/intro.html", 410, "The old documentation was retired"},
		{"/pricing.html", 308, ""},
		{"/nothing-here", 404, "The requested endpoint does not exist"},
		// A rule never shadows the API: its resources answer by their records.
		{"/api/users/42", 200, ""},
		{"/api/users/999", 404, "User with ID 999 does not exist"},
	} {
		resp, err := noRedirect.Get(base + c.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want || !strings.Contains(string(body), c.has) {
			t.Errorf("GET %s: %d %s, want %d with %q", c.path, resp.StatusCode, body, c.want, c.has)
		}
	}
}
