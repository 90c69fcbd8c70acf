// Package logbuf buffers a log's writes in memory and writes them out on a
// timer, when the buffer fills, and on Close, so a request's log line costs
// a copy instead of a system call on the request's path.
package logbuf

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// DefaultSize is the buffer's size: past it, a write flushes at once.
const DefaultSize = 64 << 10

// Writer is an io.Writer that buffers up to size bytes. Each Write is kept
// whole (slog handlers write one line per call), so lines never interleave.
type Writer struct {
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// New returns a Writer to out that flushes at least every interval (a
// non-positive interval flushes only when full and on Close).
func New(out io.Writer, size int, every time.Duration) *Writer {
	w := &Writer{buf: bufio.NewWriterSize(out, max(size, 512)), stop: make(chan struct{}), done: make(chan struct{})}
	go w.flushEvery(every)
	return w
}

func (w *Writer) flushEvery(every time.Duration) {
	defer close(w.done)
	if every <= 0 {
		<-w.stop
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.Flush()
		}
	}
}

// Write buffers p, flushing first if p does not fit.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(p) > w.buf.Available() && w.buf.Buffered() > 0 {
		if err := w.buf.Flush(); err != nil {
			return 0, err
		}
	}
	return w.buf.Write(p)
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Flush()
}

// Close stops the timer and flushes: call it last, after the server has
// finished its requests, so no line is lost.
func (w *Writer) Close() error {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
	return w.Flush()
}
