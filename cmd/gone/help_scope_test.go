package main

import (
	"strings"
	"testing"
)

// What each write command's --help says it needs is what the server
// requires: a token with the write scope does every one of them.
func TestWriteHelpNamesTheScope(t *testing.T) {
	s := newCLIServer(t)
	secret := secretOf(t, s.gone("", "token", "create", "writer", "--scope", "write"))
	asWriter := map[string]string{"GONE_URL": s.url, "GONE_TOKEN": secret}
	steps := []struct {
		stdin string
		args  []string
	}{
		{`{"name":"Wren"}`, []string{"put", "users/w1"}},
		{`{"name":"Wren W."}`, []string{"patch", "users/w1"}},
		{"", []string{"delete", "users/w1"}},
		{"", []string{"restore", "users/w1"}},
		{"", []string{"move", "users/w1", "w2"}},
	}
	for _, st := range steps {
		help := s.gone("", st.args[0], "--help")
		if !strings.Contains(help.stderr, "Needs a token with the write scope.") || strings.Contains(help.stderr, "admin token") {
			t.Errorf("gone %s --help does not say it needs the write scope:\n%s", st.args[0], help.stderr)
		}
		wantNone := "write only if the current ETag is not this one"
		if createOnly := strings.Contains(help.stderr, `"*" makes put create-only`); createOnly != (st.args[0] == "put") || !strings.Contains(help.stderr, wantNone) {
			t.Errorf("gone %s --help: --if-none-match reads wrong (\"*\" makes put create-only belongs to put alone):\n%s", st.args[0], help.stderr)
		}
		s.goneEnv(asWriter, st.stdin, st.args...).want(t, "gone "+strings.Join(st.args, " ")+" with a write token", exitOK)
	}
	if r := s.gone("", "list", "--help"); !strings.Contains(r.stderr, "live|deleted|gone") {
		t.Errorf("gone list --help does not name every --state:\n%s", r.stderr)
	}
}
