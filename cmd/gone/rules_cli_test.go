package main

import (
	"strings"
	"testing"
	"time"
)

// gone rules against gone serve with the proxy's default prefix says to
// give --prefix /, and with it works; --at takes +DURATION, as lifecycle
// does, so no walk-through needs GNU date -d.
func TestRulesAgainstServe(t *testing.T) {
	s := newCLIServer(t)
	s.gone("", "rules", "list").want(t, "rules list with the proxy's prefix", exitFailed,
		"GET /rules: 404", "against gone serve, give --prefix /")
	r := s.gone("", "rules", "add", "/shop/checkout/*", "unavailable", "--at", "+2h", "--prefix", "/")
	r.want(t, "rules add --at +2h", exitOK, "/shop/checkout/*")
	until := time.Now().Add(2 * time.Hour).UTC()
	if !strings.Contains(r.stdout, until.Format("2006-01-02T15")) && !strings.Contains(r.stdout, until.Add(-time.Minute).Format("2006-01-02T15")) {
		t.Errorf("rules add --at +2h: %s, want unavailable until about %s", r.stdout, until.Format(time.RFC3339))
	}
	s.gone("", "rules", "list", "--prefix", "/", "--output", "table").want(t, "rules list --prefix /", exitOK, "/shop/checkout/*", "503")
	s.gone("", "rules", "add", "/x", "unavailable", "--at", "soon", "--prefix", "/").want(t, "rules add --at soon", exitUsage, "+DURATION")
	s.gone("", "rules", "rm", "/nothing-here", "--prefix", "/").want(t, "rules rm of no rule", exitFailed)
	if r := s.gone("", "rules", "rm", "/nothing-here", "--prefix", "/"); strings.Contains(r.stderr, "give --prefix /") {
		t.Errorf("rules rm of a missing rule hints at --prefix although the route exists:\n%s", r.stderr)
	}
}
