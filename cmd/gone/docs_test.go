package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The documentation's console examples are run by TestDocsConsoleBlocks,
// so they stay true. The rules, also stated in README.md ("Examples that
// run"):
//
//   - Every ```console block of README.md and docs/*.md runs, in order, one
//     fresh demo server per file (GONE_ADMIN_TOKEN=secret gone serve --demo),
//     unless the line before its fence is <!-- not run -->.
//   - A line starting with "$ " is a command (a trailing \ continues it),
//     run by bash in a scratch directory with `gone` on the PATH; exported
//     variables and $? carry over to the next command. "# " lines are
//     comments. Other lines are the command's output (stdout and stderr as
//     a terminal shows them); a command shown without output is run but
//     its output is not compared.
//   - Normalized on purpose: the server's address is 127.0.0.1:8080 in
//     the docs; "…" stands for any text within a line, and a line holding
//     only "…" for any number of lines; a timestamp that is in neither the
//     block's commands nor the demo's history (before 2026-11-01) is the
//     clock's: printed, it may differ from the one shown, but by the same
//     amount (within 2 minutes) for every such timestamp of the file, so
//     "an hour later" in the docs is an hour later now. HTTP dates and
//     Retry-After seconds match any value of their kind; trailing spaces
//     are ignored; an HTTP answer's headers match when every header shown
//     is among those sent, and a body not shown is not compared.
func TestDocsConsoleBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and runs the docs' commands")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl is not installed; .ci/run installs it")
		}
		t.Skip("curl is not installed")
	}
	files, _ := filepath.Glob("../../docs/*.md")
	files = append([]string{"../../README.md"}, files...)
	bin := goneOnPath(t)
	for _, file := range files {
		blocks := consoleBlocks(t, file)
		if len(blocks) == 0 {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			dir := t.TempDir()
			addr := startDocsServer(t, bin, dir)
			sh := &docShell{t: t, bin: bin, dir: dir, addr: addr, envFile: filepath.Join(dir, ".env")}
			var clock docClock
			for _, b := range blocks {
				for _, c := range b.cmds {
					got := sh.run(c.cmd)
					if c.out == nil {
						continue
					}
					stamps, err := matchOutput(c.out, got, b.literal)
					if err == "" {
						err = clock.check(stamps)
					}
					if err != "" {
						t.Errorf("%s:%d: $ %s\n%s\n--- want:\n%s\n--- got:\n%s", file, c.line, c.cmd, err, strings.Join(c.out, "\n"), strings.Join(got, "\n"))
					}
				}
			}
		})
	}
}

// docCmd is one command of a console block and the output shown after it.
type docCmd struct {
	line int
	cmd  string
	out  []string // nil when no output is shown
}

type docBlock struct {
	cmds []docCmd
	// literal are the timestamps the block's commands name: those are
	// compared as written.
	literal map[string]bool
}

var stampRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

func consoleBlocks(t *testing.T, file string) []docBlock {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	var blocks []docBlock
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```console" {
			continue
		}
		skip := i > 0 && strings.TrimSpace(lines[i-1]) == "<!-- not run -->"
		b := docBlock{literal: map[string]bool{}}
		var cur *docCmd
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			l := lines[i]
			switch {
			case strings.HasPrefix(l, "$ "):
				b.cmds = append(b.cmds, docCmd{line: i + 1, cmd: l[2:]})
				cur = &b.cmds[len(b.cmds)-1]
				for strings.HasSuffix(cur.cmd, `\`) && i+1 < len(lines) {
					i++
					cur.cmd += "\n" + lines[i]
				}
				for _, s := range stampRE.FindAllString(cur.cmd, -1) {
					b.literal[s] = true
				}
			case l == "#" || strings.HasPrefix(l, "# "):
				cur = nil
			case cur != nil:
				cur.out = append(cur.out, l)
			}
		}
		for j := range b.cmds {
			b.cmds[j].out = trimBlank(b.cmds[j].out)
		}
		if !skip {
			blocks = append(blocks, b)
		}
	}
	return blocks
}

func trimBlank(ls []string) []string {
	for len(ls) > 0 && strings.TrimSpace(ls[len(ls)-1]) == "" {
		ls = ls[:len(ls)-1]
	}
	if len(ls) == 0 {
		return nil
	}
	return ls
}

// goneOnPath makes a bin directory whose `gone` runs this test binary as
// the real program (see TestMain), and returns it.
func goneOnPath(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	script := "#!/bin/sh\nGONE_TEST_AS_MAIN=1 exec '" + self + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "gone"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// startDocsServer runs `gone serve --demo` as the docs say, on a free port,
// and returns its address.
func startDocsServer(t *testing.T, bin, dir string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "gone"), "serve", "--demo", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "gone.db"))
	cmd.Env = append(os.Environ(), "GONE_ADMIN_TOKEN=secret", "GONE_LOG_LEVEL=error")
	return startProcess(t, cmd)
}

// docShell runs commands one after another as a reader's shell would.
type docShell struct {
	t              *testing.T
	bin, dir, addr string
	envFile        string
	last           int // the exit code of the last command, for $?
}

func (s *docShell) run(command string) []string {
	s.t.Helper()
	command = strings.ReplaceAll(command, "127.0.0.1:8080", s.addr)
	script := fmt.Sprintf("[ -f %[1]q ] && . %[1]q\n(exit %[2]d)\n{ %[3]s\n} 2>&1\nrc=$?\nexport -p | grep -v '^declare -[a-z]*r' > %[1]q\nexit $rc\n", s.envFile, s.last, command)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "PATH="+s.bin+":"+os.Getenv("PATH"), "GONE_URL=http://"+s.addr, "GONE_TEST_AS_MAIN=")
	out, err := cmd.Output()
	s.last = 0
	if ee, ok := err.(*exec.ExitError); ok {
		s.last = ee.ExitCode()
	} else if err != nil {
		s.t.Fatalf("$ %s: %v", command, err)
	}
	out = bytes.ReplaceAll(out, []byte("\r\n"), []byte("\n"))
	out = bytes.ReplaceAll(out, []byte(s.addr), []byte("127.0.0.1:8080"))
	return trimBlank(strings.Split(string(out), "\n"))
}

// docClock checks the clock's timestamps of one file against each other:
// the docs were made in one run, so each timestamp shown must be as far
// from the one printed now as the first was (an hour later in the docs is
// an hour later now).
type docClock struct {
	offset time.Duration // printed minus shown, of the file's first clock timestamp
	set    bool
}

// clockSlack is how far apart the docs' commands and the test's may run.
const clockSlack = 2 * time.Minute

func (c *docClock) check(stamps []stampPair) string {
	for _, p := range stamps {
		if p.got.Equal(p.want) {
			continue // a fact printed as shown (the demo's future expiry), not the clock
		}
		d := p.got.Sub(p.want)
		if !c.set {
			c.offset, c.set = d, true
			continue
		}
		if off := d - c.offset; off > clockSlack || off < -clockSlack {
			return fmt.Sprintf("timestamp %s printed as %s: %v off the file's other timestamps", p.want.Format(time.RFC3339), p.got.Format(time.RFC3339), off.Round(time.Second))
		}
	}
	return ""
}

// stampPair is one clock timestamp as the docs show it and as printed.
type stampPair struct{ want, got time.Time }

// matchOutput compares what a command printed with what the docs show,
// under the rules above; it returns what differs, or "", and the clock's
// timestamps of the output as shown and as printed.
func matchOutput(want, got []string, literal map[string]bool) ([]stampPair, string) {
	var stamps []stampPair
	if len(want) > 0 && strings.HasPrefix(want[0], "HTTP/") && len(got) > 0 && strings.HasPrefix(got[0], "HTTP/") {
		wh, wb := splitHead(want)
		gh, gb := splitHead(got)
		if _, ok := lineMatch(wh[0], gh[0], literal); !ok {
			return nil, "status line differs"
		}
		for _, h := range wh[1:] {
			found := false
			for _, g := range gh[1:] {
				if ps, ok := lineMatch(h, g, literal); ok {
					stamps, found = append(stamps, ps...), true
					break
				}
			}
			if !found {
				return nil, "header not sent: " + h
			}
		}
		if wb == nil {
			return stamps, ""
		}
		want, got = wb, gb
	}
	ps, ok := linesMatch(want, got, literal)
	if !ok {
		return nil, "output differs"
	}
	return append(stamps, ps...), ""
}

// splitHead splits an HTTP answer at its first blank line; body is nil
// when none follows.
func splitHead(ls []string) (head, body []string) {
	for i, l := range ls {
		if strings.TrimSpace(l) == "" {
			return ls[:i], trimBlank(ls[i+1:])
		}
	}
	return ls, nil
}

// linesMatch matches want against got line by line; a want line of only
// "…" matches any number of lines.
func linesMatch(want, got []string, literal map[string]bool) ([]stampPair, bool) {
	if len(want) == 0 {
		return nil, len(got) == 0
	}
	if strings.TrimSpace(want[0]) == "…" {
		for k := 0; k <= len(got); k++ {
			if ps, ok := linesMatch(want[1:], got[k:], literal); ok {
				return ps, true
			}
		}
		return nil, false
	}
	if len(got) == 0 {
		return nil, false
	}
	first, ok := lineMatch(want[0], got[0], literal)
	if !ok {
		return nil, false
	}
	rest, ok := linesMatch(want[1:], got[1:], literal)
	return append(first, rest...), ok
}

var (
	httpDateRE   = regexp.MustCompile(`[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT`)
	retryAfterRE = regexp.MustCompile(`(Retry-After: |"retryAfter":)\d+`)
	// history is the demo world's past: timestamps before it are facts of
	// the seeds' story, compared as written.
	history = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
)

// lineMatch matches one line: "…" is any text, and the clock's values
// (timestamps, HTTP dates, Retry-After) match any value of their kind. It
// returns the clock's timestamps, as shown and as printed, for docClock.
func lineMatch(want, got string, literal map[string]bool) ([]stampPair, bool) {
	// Tables pad their last column; editors strip trailing spaces.
	want, got = strings.TrimRight(want, " \t"), strings.TrimRight(got, " \t")
	var re strings.Builder
	var shown []string // the clock's timestamps in want, in order
	re.WriteString("^")
	rest := want
	for rest != "" {
		start, end, pattern, ok := firstWildcard(rest, literal)
		if !ok {
			re.WriteString(regexp.QuoteMeta(rest))
			break
		}
		re.WriteString(regexp.QuoteMeta(rest[:start]))
		if pattern == stampRE.String() {
			shown = append(shown, rest[start:end])
			pattern = "(" + pattern + ")"
		}
		re.WriteString(pattern)
		rest = rest[end:]
	}
	re.WriteString("$")
	m := regexp.MustCompile(re.String()).FindStringSubmatch(got)
	if m == nil {
		return nil, false
	}
	var ps []stampPair
	for i, w := range shown {
		wt, _ := time.Parse(time.RFC3339, w)
		gt, _ := time.Parse(time.RFC3339, m[i+1])
		ps = append(ps, stampPair{wt, gt})
	}
	return ps, true
}

// firstWildcard finds the first wildcard in s: where it starts and ends,
// and the pattern it stands for.
func firstWildcard(s string, literal map[string]bool) (start, end int, pattern string, ok bool) {
	start = -1
	try := func(b, e int, p string) {
		if b >= 0 && (start < 0 || b < start) {
			start, end, pattern = b, e, p
		}
	}
	if i := strings.Index(s, "…"); i >= 0 {
		try(i, i+len("…"), ".*")
	}
	for _, loc := range stampRE.FindAllStringIndex(s, -1) {
		ts, _ := time.Parse(time.RFC3339, s[loc[0]:loc[1]])
		if !literal[s[loc[0]:loc[1]]] && !ts.Before(history) {
			try(loc[0], loc[1], stampRE.String())
			break
		}
	}
	if loc := httpDateRE.FindStringIndex(s); loc != nil {
		ts, _ := time.Parse(time.RFC1123, s[loc[0]:loc[1]])
		if !literal[ts.UTC().Format(time.RFC3339)] && !ts.Before(history) {
			try(loc[0], loc[1], httpDateRE.String())
		}
	}
	if m := retryAfterRE.FindStringSubmatchIndex(s); m != nil {
		try(m[0], m[1], regexp.QuoteMeta(s[m[2]:m[3]])+`\d+`)
	}
	return start, end, pattern, start >= 0
}

// TestMain lets the test binary be the real program: the docs' commands
// call `gone`, which goneOnPath points here with GONE_TEST_AS_MAIN=1.
func TestMain(m *testing.M) {
	if os.Getenv("GONE_TEST_AS_MAIN") == "1" {
		os.Unsetenv("GONE_TEST_AS_MAIN")
		main()
		return
	}
	os.Exit(m.Run())
}
