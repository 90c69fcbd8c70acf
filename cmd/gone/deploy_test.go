package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// examples/production/gone.service is a unit systemd accepts, as hardened
// as the README says, naming only settings gone reads. systemd-analyze
// checks it where it is installed (required where
// GONE_TEST_SYSTEMD_REQUIRED is set, as in CI).
func TestSystemdUnit(t *testing.T) {
	t.Parallel()
	const unitPath = "../../examples/production/gone.service"
	raw, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	unit := string(raw)
	for _, want := range []string{
		"DynamicUser=yes", "StateDirectory=gone", "ProtectSystem=strict", "ProtectHome=yes", "NoNewPrivileges=yes",
		"KillSignal=SIGTERM", "TimeoutStopSec=", "ExecStart=/usr/local/bin/gone serve", "Environment=GONE_DB=/var/lib/gone/",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("%s lacks %q", unitPath, want)
		}
	}
	// Every GONE_ variable the unit sets is one serve reads.
	var help strings.Builder
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}} {
		r := (&cliServer{t: t}).goneEnv(map[string]string{}, "", args...)
		help.WriteString(r.stdout + r.stderr)
	}
	for _, v := range regexp.MustCompile(`\bGONE_[A-Z_]+`).FindAllString(unit, -1) {
		if !strings.Contains(help.String(), v) {
			t.Errorf("%s sets %s, which neither gone --help nor gone serve --help names", unitPath, v)
		}
	}

	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		if os.Getenv("GONE_TEST_SYSTEMD_REQUIRED") != "" {
			t.Fatal("systemd-analyze is not installed; .ci/run installs systemd")
		}
		t.Skip("systemd-analyze is not installed")
	}
	// verify wants ExecStart's binary to exist: point it at this test's
	// program (goneOnPath), which is what the unit would run.
	dir := t.TempDir()
	local := filepath.Join(dir, "gone.service")
	unit = strings.ReplaceAll(unit, "/usr/local/bin/gone", filepath.Join(goneOnPath(t), "gone"))
	if err := os.WriteFile(local, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("systemd-analyze", "verify", local).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify %s: %v\n%s", unitPath, err, out)
	}
	// The exposure score: 0 is a locked box, 10 an unprotected service;
	// below 2 systemd calls it "OK". --threshold counts in tenths.
	out, err := exec.Command("systemd-analyze", "security", "--offline=yes", "--threshold=20", local).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze security %s: %v (exposure above 2)\n%s", unitPath, err, lastLines(string(out), 3))
	}
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(ls[max(0, len(ls)-n):], "\n")
}
