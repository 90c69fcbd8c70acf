package main

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/internal/demotest"
)

const cliAdminToken = demotest.AdminToken

// cliNow is the server's clock in CLI tests: after every demo event.
var cliNow = demotest.Now

// cliServer is a real gone server over a temp-dir SQLite file with the
// demo world, for the CLI to talk to.
type cliServer struct {
	t   *testing.T
	url string
	svc *gone.Service
}

func newCLIServer(t *testing.T) *cliServer {
	t.Helper()
	w := demotest.New(t)
	srv := httptest.NewServer(w.Handler(nil))
	t.Cleanup(srv.Close)
	return &cliServer{t: t, url: srv.URL, svc: w.Service}
}

// result is what one run of the program printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// gone runs the real program in-process with GONE_URL and GONE_TOKEN (the
// admin's) from the environment, as a user's shell would set them.
func (s *cliServer) gone(stdin string, args ...string) result {
	return s.goneEnv(map[string]string{"GONE_URL": s.url, "GONE_TOKEN": cliAdminToken}, stdin, args...)
}

func (s *cliServer) goneEnv(vars map[string]string, stdin string, args ...string) result {
	s.t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return vars[k] }, strings.NewReader(stdin), &out, &errb)
	// What main's exitCode does, without touching the process's stderr.
	code := 0
	var ee *exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.code
		if ee.err != nil {
			errb.WriteString("gone: " + ee.err.Error() + "\n")
		}
	default:
		code = 1
		errb.WriteString("gone: " + err.Error() + "\n")
	}
	return result{code, out.String(), errb.String()}
}

// want fails the test unless r exited with code and its output holds
// every fragment (in stdout or stderr).
func (r result) want(t *testing.T, what string, code int, fragments ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", what, r.code, code, r.stdout, r.stderr)
		return
	}
	for _, f := range fragments {
		if !strings.Contains(r.stdout, f) && !strings.Contains(r.stderr, f) {
			t.Errorf("%s: output lacks %q\nstdout: %s\nstderr: %s", what, f, r.stdout, r.stderr)
		}
	}
}
