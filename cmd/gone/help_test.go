package main

import (
	"strings"
	"testing"
)

// helpSecrets is an environment full of secrets, as a CI job or an
// operator's shell may hold them.
var helpSecrets = map[string]string{
	"GONE_TOKEN":       "tok-s3cret-0001",
	"GONE_ADMIN_TOKEN": "adm-s3cret-0002",
	"GONE_READ_TOKEN":  "rd-s3cret-0003",
	"GONE_DB":          "postgres://gone:hunter2-db@db.internal:5432/gone?sslmode=require",
	"GONE_URL":         "https://ops:hunter2-url@gone.internal",
	"GONE_UPSTREAM":    "http://site:hunter2-up@127.0.0.1:3000",
	"GONE_CONFIG":      "/etc/gone/gone.json",
}

// helpLeaks are the substrings of helpSecrets that must never be printed.
var helpLeaks = []string{"tok-s3cret", "adm-s3cret", "rd-s3cret", "hunter2"}

// Every command's --help, and the usage a mistyped flag prints, name where
// a secret comes from and never print it.
func TestHelpShowsNoSecret(t *testing.T) {
	t.Parallel()
	var invocations [][]string
	for _, c := range commands {
		invocations = append(invocations, []string{c.name})
	}
	for _, sub := range []string{"add", "list", "rm", "import", "explain"} {
		invocations = append(invocations, []string{"rules", sub})
	}
	for _, sub := range []string{"create", "list", "revoke"} {
		invocations = append(invocations, []string{"token", sub})
	}
	for _, sub := range []string{"list", "gone", "redirect", "ignore", "dismiss"} {
		invocations = append(invocations, []string{"inbox", sub})
	}
	s := &cliServer{t: t}
	for _, inv := range invocations {
		for _, tail := range [][]string{{"--help"}, {"--no-such-flag"}, {"-h"}} {
			args := append(append([]string{}, inv...), tail...)
			r := s.goneEnv(helpSecrets, "", args...)
			what := "gone " + strings.Join(args, " ")
			if r.code != exitOK && r.code != exitUsage {
				t.Errorf("%s: exit %d, want %d or %d\nstderr: %s", what, r.code, exitOK, exitUsage, r.stderr)
			}
			for _, leak := range helpLeaks {
				if strings.Contains(r.stdout+r.stderr, leak) {
					t.Errorf("%s printed the secret %q:\n%s%s", what, leak, r.stdout, r.stderr)
				}
			}
			out := r.stdout + r.stderr
			if strings.Contains(out, "-token string") && !strings.Contains(out, "from GONE_TOKEN; not shown") {
				t.Errorf("%s: --token's help does not say it comes from GONE_TOKEN:\n%s", what, out)
			}
			if strings.Contains(out, "-db string") && !strings.Contains(out, "postgres://gone:xxxxx@db.internal:5432/gone") {
				t.Errorf("%s: --db's help does not show GONE_DB with its password masked:\n%s", what, out)
			}
		}
	}
}

func TestMaskSecrets(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"postgres://u:hunter2@db/x", "postgres://u:xxxxx@db/x"},
		{"postgresql://u:p%40ss@db:5432/x?sslmode=disable", "postgresql://u:xxxxx@db:5432/x?sslmode=disable"},
		{"host=db user=u password=hunter2 dbname=x", "host=db user=u password=xxxxx dbname=x"},
		{"host=db password='two words'", "host=db password=xxxxx"},
		{"postgres://db/x?password=hunter2", "postgres://db/x?password=xxxxx"},
		{"http://u@site", "http://u@site"},
		{"./gone.db", "./gone.db"},
		{"127.0.0.1:8080", "127.0.0.1:8080"},
	}
	for _, tc := range cases {
		if got := maskSecrets(tc.in); got != tc.want {
			t.Errorf("maskSecrets(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
