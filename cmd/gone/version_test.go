package main

import (
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionLine(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"},
		{Key: "vcs.time", Value: "2026-11-22T12:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	if got, want := versionLine(bi, true), "gone v1.2.3 (0123456789ab+modified, 2026-11-22T12:00:00Z) go1.26.8"; got != want {
		t.Errorf("versionLine = %q, want %q", got, want)
	}
	bi.Settings = nil
	bi.Main.Version = "(devel)"
	if got, want := versionLine(bi, true), "gone (devel) go1.26.8"; got != want {
		t.Errorf("versionLine without VCS = %q, want %q", got, want)
	}
	if got := versionLine(nil, false); got != "gone (no build information)" {
		t.Errorf("versionLine without build info = %q", got)
	}
}

// A release build stamps its version with -ldflags, as docs/release.md
// says.
func TestVersionStamped(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "gone")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=v9.8.7", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -ldflags -X main.version=v9.8.7: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("gone version: %v", err)
	}
	// The revision follows when the toolchain records one (GOFLAGS may
	// hold -buildvcs=false); the version comes first either way.
	want := "gone v9.8.7 "
	if !strings.HasPrefix(string(out), want) {
		t.Errorf("gone version = %q, want it to start with %q", out, want)
	}
}
