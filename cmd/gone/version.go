package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// version, when set at link time, is the release's version:
//
//	go build -ldflags "-X main.version=v1.2.0" ./cmd/gone
//
// It wins over the module version the Go toolchain records, which a build
// from a clone gives as a pseudo-version (v0.0.0-DATE-REVISION) or, at a
// tag, the tag itself; a build from a tree without .git records none.
var version string

// runVersion prints the module version and the VCS revision the binary was
// built from, as the Go toolchain recorded them.
func runVersion(_ context.Context, e env, args []string) error {
	fs := newFlagSet(e, "version", "version\n\nPrints the module version, the VCS revision and time, and the Go version.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("version takes no arguments")
	}
	bi, ok := debug.ReadBuildInfo()
	if ok && version != "" {
		bi.Main.Version = version
	}
	fmt.Fprintln(e.stdout, versionLine(bi, ok))
	return nil
}

// versionLine is "gone VERSION (REVISION[+modified], TIME) GO", leaving out
// what the build did not record (go run records no revision).
func versionLine(bi *debug.BuildInfo, ok bool) string {
	if !ok {
		return "gone (no build information)"
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+modified"
			}
		}
	}
	line := "gone " + bi.Main.Version
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		line += " (" + rev + modified
		if at != "" {
			line += ", " + at
		}
		line += ")"
	}
	return line + " " + bi.GoVersion
}
