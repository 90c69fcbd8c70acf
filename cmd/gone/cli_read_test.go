package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// The seeds' exchanges through `gone get`: JSON for a live resource, a
// human message and exit 4 for 410, the suggestion and exit 3 for 404.
func TestGet(t *testing.T) {
	s := newCLIServer(t)
	cases := []struct {
		name      string
		args      []string
		code      int
		fragments []string
	}{
		{"live", []string{"get", "users/42"}, exitOK, []string{`"name": "Ada Lovelace"`}},
		{"live as two args", []string{"get", "users", "42"}, exitOK, []string{`"Ada Lovelace"`}},
		{"live as a path, table", []string{"get", "/api/users/42", "--output", "table"}, exitOK, []string{"email", "ada@example.com"}},
		{"deleted", []string{"get", "users/123"}, exitGone, []string{
			"users/123 is gone for good (410 Gone)", "This user account was permanently deleted on 2026-01-05",
			"deleted at:  2026-01-05T10:30:00Z", "reason:      User requested account deletion", "will not come back"}},
		{"expired", []string{"get", "promotions/summer-sale-2025"}, exitGone, []string{
			"expired at:  2025-09-01T00:00:00Z", "alternative: /api/promotions/current"}},
		{"deleted, Spanish", []string{"get", "--lang", "es", "users/123"}, exitGone, []string{"El usuario solicitó la eliminación de la cuenta"}},
		{"never existed", []string{"get", "users/999"}, exitNotFound, []string{"users/999 not found (404 Not Found)", "User with ID 999 does not exist"}},
		{"wrong url", []string{"get", "usres/123"}, exitNotFound, []string{"Did you mean /api/users/123?"}},
		{"moved", []string{"get", "promotions/current"}, exitOK, []string{"Winter Sale 2026"}},
		{"no target", []string{"get"}, exitUsage, []string{"missing the resource"}},
		{"bad target", []string{"get", "users"}, exitUsage, []string{"not collection/id"}},
		{"bad output", []string{"get", "--output", "yaml", "users/42"}, exitUsage, []string{"--output must be json or table"}},
		{"bad flag", []string{"get", "--nope", "users/42"}, exitUsage, nil},
	}
	for _, tc := range cases {
		s.gone("", tc.args...).want(t, tc.name, tc.code, tc.fragments...)
	}
	// With --output json a script also gets the problem on stdout.
	r := s.gone("", "get", "users/123", "--output", "json")
	var p map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil || p["deletedAt"] != "2026-01-05T10:30:00Z" {
		t.Errorf("get users/123 --output json: stdout %q is not the problem (%v)", r.stdout, err)
	}
}

// On 503 the CLI says when the resource is back (the body's availableAt,
// not the capped Retry-After) and when to retry.
func TestGetUnavailable(t *testing.T) {
	s := newCLIServer(t)
	back := cliNow.Add(3 * time.Hour)
	if _, err := s.svc.SetLifecycle(context.Background(), gone.Caller{Name: "ops", Scopes: []gone.Scope{gone.ScopeAdmin}}, "users", "42", gone.LifecycleChange{
		UnavailableUntil: gone.Optional[time.Time]{Set: true, Value: back},
	}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	s.gone("", "get", "users/42").want(t, "get unavailable", exitFailed, "temporarily unavailable (503",
		"available again at "+back.UTC().Format(time.RFC3339)+"; retry after 1h0m0s")
}

// Flags win over the environment, and the environment over defaults.
func TestEnvFallbacks(t *testing.T) {
	s := newCLIServer(t)
	s.goneEnv(map[string]string{}, "", "get", "--url", s.url, "users/42").want(t, "--url flag", exitOK, "Ada")
	s.goneEnv(map[string]string{"GONE_URL": "http://127.0.0.1:1"}, "", "get", "--url", s.url, "users/42").want(t, "flag over env", exitOK, "Ada")
	s.goneEnv(map[string]string{"GONE_URL": s.url}, "", "audit").want(t, "no token", exitFailed, "needs a token: give --token or set GONE_TOKEN")
	s.goneEnv(map[string]string{"GONE_URL": s.url, "GONE_TOKEN": cliAdminToken}, "", "audit", "--limit", "1").want(t, "GONE_TOKEN", exitOK, `"action":"create"`)
	s.goneEnv(map[string]string{"GONE_URL": s.url, "GONE_TOKEN": "wrong"}, "", "get", "users/42").want(t, "wrong token", exitFailed, "401 Unauthorized")
}

// Every command answers --help with its usage and exit 0.
func TestHelpEverywhere(t *testing.T) {
	s := newCLIServer(t)
	for _, c := range commands {
		name := c.name
		r := s.gone("", name, "--help")
		if r.code != exitOK || !strings.Contains(r.stderr, "Usage: gone "+name) {
			t.Errorf("gone %s --help: exit %d, stderr %q; want exit 0 and its usage", name, r.code, r.stderr)
		}
	}
	s.gone("", "help").want(t, "help", exitOK, "get", "import", "lifecycle")
}

// explain, list and audit, in both formats.
func TestInspect(t *testing.T) {
	s := newCLIServer(t)
	s.gone("", "explain", "users/123").want(t, "explain json", exitOK, `"state": "gone"`, `"status": 410`)
	s.gone("", "explain", "users/123", "--output", "table").want(t, "explain table", exitOK, "QUESTION", "public", "410")
	s.gone("", "list", "users").want(t, "list", exitOK, `{"id":"42","data":{`)
	s.gone("", "list", "users", "--output", "table").want(t, "list table", exitOK, "ID", "42")
	s.gone("", "list", "users", "--state", "gone", "--output", "table").want(t, "list gone", exitOK, "123", "2026-01-05T10:30:00Z", "User requested account deletion")
	r := s.gone("", "audit", "users/123", "--output", "table")
	r.want(t, "audit table", exitOK, "SEQ", "delete", "users/123")
	if n := strings.Count(r.stdout, "\n"); n != 3 {
		t.Errorf("audit users/123 printed %d lines, want a header and 2 events:\n%s", n, r.stdout)
	}
	s.gone("", "list").want(t, "list without collection", exitUsage)
}

// What a new user meets first: help, version, no server, another server.
func TestCLIExplainsItself(t *testing.T) {
	s := newCLIServer(t)
	r := s.gone("", "--help")
	r.want(t, "--help", exitOK, "--url URL", "GONE_URL", "GONE_TOKEN", "GONE_OUTPUT", "GONE_ADMIN_TOKEN", "import")
	if r.stderr != "" {
		t.Errorf("--help wrote to stderr: %q", r.stderr)
	}
	bare := s.gone("")
	if bare.code != exitUsage || bare.stdout != "" || bare.stderr != r.stdout {
		t.Errorf("bare gone: exit %d, stdout %q; want exit 2 and --help's text on stderr", bare.code, bare.stdout)
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		s.gone("", args...).want(t, strings.Join(args, " "), exitOK, "gone ", "go1.")
	}

	// Nothing listens on a port just closed.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	s.goneEnv(map[string]string{"GONE_URL": dead}, "", "get", "users/42").
		want(t, "no server", exitFailed, "no gone server answers at "+dead+"; start one with `gone serve` or set GONE_URL/--url")

	// Another server that answers 404 with a page of its own.
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	r = s.goneEnv(map[string]string{"GONE_URL": other.URL}, "", "get", "users/42")
	r.want(t, "not gone", exitFailed, other.URL+" does not look like a gone server")
	if strings.Contains(r.stderr, "not found") {
		t.Errorf("another server's 404 was told as a missing resource: %s", r.stderr)
	}

	s.goneEnv(map[string]string{"GONE_URL": s.url}, "", "put", "users/t1", "--data", `{}`).
		want(t, "write without token", exitFailed, "needs a token: give --token or set GONE_TOKEN")
	s.goneEnv(map[string]string{"GONE_URL": s.url}, "", "import", "--collection", "users", "-").
		want(t, "import without token", exitUsage, "--token or set GONE_TOKEN")
}

// JSON ends with one newline; a lifecycle table lists the history as rows;
// notices are sentences, not log lines.
func TestCLIOutputShape(t *testing.T) {
	s := newCLIServer(t)
	r := s.gone("", "get", "users/42")
	if !strings.HasSuffix(r.stdout, "}\n") || strings.HasSuffix(r.stdout, "\n\n") {
		t.Errorf("get printed %q; want JSON and one newline", r.stdout)
	}
	r = s.gone("", "lifecycle", "users/123", "--output", "table")
	r.want(t, "lifecycle table", exitOK, "SEQ", "ACTION", "create", "delete", "user_request")
	if strings.Contains(r.stdout, `[{"seq"`) {
		t.Errorf("lifecycle table shows the history as JSON:\n%s", r.stdout)
	}
	r = s.gone("", "get", "promotions/winter-sale-2026")
	r.want(t, "sunset notice", exitOK, "note: /api/promotions/winter-sale-2026 goes away at 2027-03-01T00:00:00Z")
	if strings.Contains(r.stderr, "level=") {
		t.Errorf("a raw log line reached the CLI's output:\n%s", r.stderr)
	}
}
