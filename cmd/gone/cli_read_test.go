package main

import (
	"context"
	"encoding/json"
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

// On 503 the CLI says when to retry.
func TestGetUnavailable(t *testing.T) {
	s := newCLIServer(t)
	if _, err := s.svc.SetLifecycle(context.Background(), gone.Caller{Name: "ops", Scopes: []gone.Scope{gone.ScopeAdmin}}, "users", "42", gone.LifecycleChange{
		UnavailableUntil: gone.Optional[time.Time]{Set: true, Value: cliNow.Add(time.Hour)},
	}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	s.gone("", "get", "users/42").want(t, "get unavailable", exitFailed, "temporarily unavailable (503", "retry after 1h0m0s (at ")
}

// Flags win over the environment, and the environment over defaults.
func TestEnvFallbacks(t *testing.T) {
	s := newCLIServer(t)
	s.goneEnv(map[string]string{}, "", "get", "--url", s.url, "users/42").want(t, "--url flag", exitOK, "Ada")
	s.goneEnv(map[string]string{"GONE_URL": "http://127.0.0.1:1"}, "", "get", "--url", s.url, "users/42").want(t, "flag over env", exitOK, "Ada")
	s.goneEnv(map[string]string{"GONE_URL": s.url}, "", "audit").want(t, "no token", exitFailed, "401")
	s.goneEnv(map[string]string{"GONE_URL": s.url, "GONE_TOKEN": cliAdminToken}, "", "audit", "--limit", "1").want(t, "GONE_TOKEN", exitOK, `"action":"create"`)
	s.goneEnv(map[string]string{"GONE_URL": s.url, "GONE_TOKEN": "wrong"}, "", "get", "users/42").want(t, "wrong token", exitFailed, "401 Unauthorized")
}

// Every command answers --help with its usage and exit 0.
func TestHelpEverywhere(t *testing.T) {
	s := newCLIServer(t)
	for name := range commands {
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
