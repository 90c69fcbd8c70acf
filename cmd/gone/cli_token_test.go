package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/internal/demotest"
)

// secretOf reads the secret from `gone token create`'s JSON output.
func secretOf(t *testing.T, r result) string {
	t.Helper()
	var tok struct{ Secret string }
	if err := json.Unmarshal([]byte(r.stdout), &tok); err != nil || !strings.HasPrefix(tok.Secret, "gone_") {
		t.Fatalf("token create printed %q (%v), want JSON with a gone_ secret", r.stdout, err)
	}
	return tok.Secret
}

// Offline on the database the server is using: a token created there works
// on the server at once, and a revocation there is refused at once.
func TestCLITokenOffline(t *testing.T) {
	w := demotest.New(t)
	srv := httptest.NewServer(w.Handler(nil))
	t.Cleanup(srv.Close)
	s := &cliServer{t: t, url: srv.URL, svc: w.Service}
	offline := map[string]string{"GONE_DB": w.Path, "USER": "tester"}

	r := s.goneEnv(offline, "", "token", "create", "deploy", "--scope", "write", "--collection", "users", "--expires", "30d")
	r.want(t, "offline create", 0, `"name": "deploy"`, `"scopes": [`, "Store the secret now")
	secret := secretOf(t, r)

	asDeploy := map[string]string{"GONE_URL": s.url, "GONE_TOKEN": secret}
	s.goneEnv(asDeploy, `{"name":"Grace"}`, "put", "users/77").want(t, "put with the offline-made token", 0)
	s.goneEnv(asDeploy, `{"a":1}`, "put", "promotions/x").want(t, "put outside the token's collection", 1, "403")

	s.goneEnv(offline, "", "token", "list", "--output", "table").want(t, "offline list", 0, "deploy", "write", "users", "active", "offline:tester")
	s.goneEnv(offline, "", "token", "revoke", "deploy").want(t, "offline revoke", 0, `"state": "revoked"`)
	s.goneEnv(asDeploy, "", "get", "users/42").want(t, "get with the revoked token", 1, "401", "was revoked")
	s.goneEnv(offline, "", "token", "revoke", "deploy").want(t, "revoking twice", exitGone, "already revoked")
	s.goneEnv(offline, "", "token", "revoke", "nobody").want(t, "revoking an unknown token", exitNotFound, "No token")

	evs, _ := w.Store.Audit(context.Background(), gone.AuditQuery{Collection: gone.TokensCollection})
	if len(evs) != 2 || evs[0].Actor != "offline:tester" || evs[1].Action != gone.ActionTokenRevoke {
		t.Errorf("token audit = %+v, want create and revoke by offline:tester", evs)
	}
}

func TestCLITokenThroughTheAPI(t *testing.T) {
	s := newCLIServer(t)
	r := s.gone("", "token", "create", "ro", "--scope", "read", "--expires", "2030-01-01T00:00:00Z")
	r.want(t, "create", 0, `"expiresAt": "2030-01-01T00:00:00Z"`, `"createdBy": "admin"`)
	secret := secretOf(t, r)
	s.goneEnv(map[string]string{"GONE_URL": s.url, "GONE_TOKEN": secret}, "", "get", "users/42").want(t, "get with the new token", 0, "Ada")

	r = s.gone("", "token", "list")
	r.want(t, "list", 0, `"name":"ro"`)
	if strings.Contains(r.stdout, secret) {
		t.Errorf("token list shows the secret: %s", r.stdout)
	}
	s.gone("", "token", "revoke", "ro").want(t, "revoke", 0, `"revokedBy": "admin"`)
	s.gone("", "token", "revoke", "ro").want(t, "revoke again", exitGone)
	s.gone("", "token", "create", "bad", "--scope", "root").want(t, "bad scope", 1, "scopes")
	s.goneEnv(map[string]string{"GONE_URL": s.url, "GONE_TOKEN": demotest.ReaderToken}, "", "token", "list").want(t, "list as a reader", 1, "403")
}

func TestCLITokenUsage(t *testing.T) {
	s := newCLIServer(t)
	missing := filepath.Join(t.TempDir(), "typo.db")
	tests := []struct {
		name string
		args []string
		code int
		frag string
	}{
		{"no subcommand", []string{"token"}, exitUsage, "token create NAME"},
		{"help", []string{"token", "--help"}, exitOK, "token create NAME"},
		{"create --help", []string{"token", "create", "--help"}, exitOK, "-scope"},
		{"unknown subcommand", []string{"token", "rotate"}, exitUsage, "create, list or revoke"},
		{"create without a name", []string{"token", "create"}, exitUsage, "one argument"},
		{"bad expiry", []string{"token", "create", "x", "--expires", "soon"}, exitUsage, "--expires"},
		{"db and url", []string{"token", "list", "--db", missing, "--url", s.url}, exitUsage, "not both"},
		{"missing database file", []string{"token", "list", "--db", missing}, exitFailed, "typo.db"},
		{"extra arguments", []string{"token", "list", "x"}, exitUsage, "unexpected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.gone("", tt.args...).want(t, strings.Join(tt.args, " "), tt.code, tt.frag)
		})
	}
}

// The real `gone serve` wiring: a named token made through its API works
// there, its lookup is timed in /metrics, and --auth-failures is applied.
func TestServeWithNamedTokens(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, result := serveInProcess(t, ctx, "--auth-failures", "2")
	s := &cliServer{t: t, url: "http://" + addr}
	env := map[string]string{"GONE_URL": s.url, "GONE_TOKEN": "ops-token"}
	secret := secretOf(t, s.goneEnv(env, "", "token", "create", "svc", "--scope", "read"))
	s.goneEnv(map[string]string{"GONE_URL": s.url, "GONE_TOKEN": secret}, "", "get", "accounts/nobody").want(t, "get with the named token", exitNotFound)

	_, body := getMetrics(t, s.url+"/metrics", "ops-token")
	if !strings.Contains(body, `gone_store_duration_seconds_count{op="token_by_hash",result="ok"} 1`) {
		t.Errorf("/metrics does not time the token lookup:\n%s", body)
	}

	bad := map[string]string{"GONE_URL": s.url, "GONE_TOKEN": "wrong"}
	s.goneEnv(bad, "", "get", "users/42").want(t, "first failure", exitFailed, "401")
	s.goneEnv(bad, "", "get", "users/42").want(t, "second failure", exitFailed, "401")
	req, _ := http.NewRequest("GET", s.url+"/api/users/42", nil)
	req.Header.Set("Authorization", "Bearer wrong")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("third failure with --auth-failures 2: status %d, want 429", resp.StatusCode)
	}
	cancel()
	if err := <-result; err != nil {
		t.Errorf("serve: %v", err)
	}
}
