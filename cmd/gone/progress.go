package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
)

// progress shows how far a long import got: on a terminal, a bar redrawn in
// place with the rate and, when the file's size is known, the time left;
// anywhere else a plain line every ten seconds, so logs and CI output stay
// readable and a short import prints none.
type progress struct {
	w     io.Writer
	size  int64 // bytes in the file; 0 when unknown (stdin)
	read  *countingReader
	tty   bool
	start time.Time
	last  time.Time // when a line was last printed
	drawn bool
	// now is the clock (time.Now), set by tests so elapsed times are exact.
	now func() time.Time
}

func newProgress(w io.Writer, size int64, read *countingReader) *progress {
	now := time.Now()
	p := &progress{w: w, size: size, read: read, start: now, last: now, now: time.Now}
	if f, ok := w.(*os.File); ok {
		p.tty = isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
	}
	return p
}

// status is "N lines, R lines/s, F failed[, ETA]".
func (p *progress) status(lines, failed int, now time.Time) string {
	elapsed := now.Sub(p.start)
	s := fmt.Sprintf("%d lines, %s lines/s, %d failed", lines, rate(lines, elapsed), failed)
	if p.size > 0 && p.read.n > 0 && p.read.n < p.size {
		left := time.Duration(float64(elapsed) * float64(p.size-p.read.n) / float64(p.read.n))
		s += ", about " + left.Round(time.Second).String() + " left"
	}
	return s
}

func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(n)/d.Seconds())
}

func (p *progress) update(lines, failed int) {
	now := p.now()
	if p.tty {
		const width = 30
		fill := width
		if p.size > 0 {
			fill = int(int64(width) * min(p.read.n, p.size) / p.size)
		}
		fmt.Fprintf(p.w, "\r[%s%s] %s\033[K", strings.Repeat("#", fill), strings.Repeat(".", width-fill), p.status(lines, failed, now))
		p.drawn = true
		return
	}
	if now.Sub(p.last) >= 10*time.Second {
		fmt.Fprintf(p.w, "import: %s\n", p.status(lines, failed, now))
		p.last = now
	}
}

// done ends the bar's line, and on a terminal says how long it took.
func (p *progress) done(lines, failed int) {
	if p.tty && p.drawn {
		now := p.now()
		fmt.Fprintf(p.w, "\r%s in %s\033[K\n", p.status(lines, failed, now), now.Sub(p.start).Round(time.Millisecond))
	}
}
