package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
)

// progress shows how far a long command got: a bar redrawn in place on a
// terminal, plain lines (about every tenth of the work) anywhere else, so
// logs and CI output stay readable.
type progress struct {
	w     io.Writer
	total int
	tty   bool
	every int
	last  int
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, every: max(total/10, 1)}
	if f, ok := w.(*os.File); ok {
		p.tty = isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
	}
	return p
}

func (p *progress) update(done, failed int) {
	p.last = done
	if p.tty {
		const width = 30
		fill := width * done / max(p.total, 1)
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d lines, %d failed", strings.Repeat("#", fill), strings.Repeat(".", width-fill), done, p.total, failed)
		return
	}
	if done%p.every == 0 || done == p.total {
		fmt.Fprintf(p.w, "import: %d/%d lines, %d failed\n", done, p.total, failed)
	}
}

func (p *progress) done() {
	if p.tty && p.last > 0 {
		fmt.Fprintln(p.w)
	}
}
