package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// The bar on a terminal shows lines, rate and time left; elsewhere a short
// import prints no progress at all.
func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	read := &countingReader{n: 250}
	p := newProgress(&buf, 1000, read)
	now := time.Now()
	p.start = now.Add(-10 * time.Second)
	p.now = func() time.Time { return now }
	if got := p.status(5000, 2, now); !strings.Contains(got, "5000 lines, 500 lines/s, 2 failed, about 30s left") {
		t.Errorf("status = %q", got)
	}
	p.tty = true
	p.update(5000, 2)
	p.done(5000, 2)
	out := buf.String()
	if !strings.HasPrefix(out, "\r[#######.......................] 5000 lines") || !strings.HasSuffix(out, "\n") || !strings.Contains(out, " in 10s") {
		t.Errorf("terminal output = %q", out)
	}
	buf.Reset()
	p = newProgress(&buf, 1000, read)
	p.update(10, 0)
	p.done(10, 0)
	if buf.Len() != 0 {
		t.Errorf("a short import off a terminal printed %q", buf.String())
	}
}
