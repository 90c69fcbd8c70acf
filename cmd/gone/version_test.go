package main

import (
	"runtime/debug"
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
