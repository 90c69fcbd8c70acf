package cluster_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// callWith sends one request with token and returns the status and the
// problem's tokenState, if any.
func callWith(t *testing.T, in *instance, token, method, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, in.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s on %s: %v", method, path, in.name, err)
	}
	defer resp.Body.Close()
	var p struct{ TokenState string }
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &p)
	return resp.StatusCode, p.TokenState
}

// A token revoked on one instance is refused by the very next request on
// another: no instance caches tokens, each looks the hash up per request.
func TestRevokeIsRefusedOnEveryInstanceAtOnce(t *testing.T) {
	insts := newCluster(t, 2)
	a, b := insts[0], insts[1]
	status, body := call(t, a, "POST", "/api/tokens", `{"name":"deploy","scopes":["write"]}`)
	if status != http.StatusCreated {
		t.Fatalf("create on A: %d %s", status, body)
	}
	var created struct{ Secret string }
	json.Unmarshal([]byte(body), &created)

	for _, in := range insts {
		// 404, not 401: the token was accepted, the id does not exist.
		if st, _ := callWith(t, in, created.Secret, "GET", "/api/users/1"); st != http.StatusNotFound {
			t.Fatalf("GET with the new token on %s: %d, want 404", in.name, st)
		}
	}
	if status, body := call(t, a, "DELETE", "/api/tokens/deploy", ""); status != http.StatusOK {
		t.Fatalf("revoke on A: %d %s", status, body)
	}
	// No wait: the next request on B must already be refused.
	for _, in := range []*instance{b, a} {
		st, state := callWith(t, in, created.Secret, "GET", "/api/users/1")
		if st != http.StatusUnauthorized || state != "revoked" {
			t.Errorf("GET with the revoked token on %s: %d tokenState %q, want 401 revoked", in.name, st, state)
		}
	}
	// Both instances list it revoked, and the audit (shared) has both events.
	_, list := call(t, b, "GET", "/api/tokens", "")
	if !strings.Contains(list, `"state":"revoked"`) {
		t.Errorf("GET /api/tokens on B = %s, want deploy revoked", list)
	}
	_, audit := call(t, b, "GET", "/api/audit?collection=tokens", "")
	if !strings.Contains(audit, `"action":"token_create"`) || !strings.Contains(audit, `"action":"token_revoke"`) || !strings.Contains(audit, `"actor":"admin-A"`) {
		t.Errorf("audit on B = %s, want token_create and token_revoke by admin-A", audit)
	}
}
