package main

import (
	"context"
	"io"
	"sync"
	"time"
)

// lineBuffer batches a request log's lines into fewer writes: the proxy
// logs every request of a site, and one write system call per line was its
// largest cost per request (bench/README.md). Lines are only ever written
// whole, so they never interleave with other logs on the same stream. A
// crash loses at most the last flushInterval of request lines.
type lineBuffer struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

const (
	flushInterval = 100 * time.Millisecond
	flushSize     = 32 << 10
)

// newLineBuffer returns a buffer over w, flushed every flushInterval until
// ctx ends; stop flushes what is left and waits for the flusher.
func newLineBuffer(ctx context.Context, w io.Writer) (lb *lineBuffer, stop func()) {
	lb = &lineBuffer{w: w}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(flushInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				lb.flush()
				return
			case <-t.C:
				lb.flush()
			}
		}
	}()
	return lb, func() { cancel(); <-done }
}

// Write takes one or more whole lines (slog handlers write one record per
// call).
func (lb *lineBuffer) Write(p []byte) (int, error) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	lb.buf = append(lb.buf, p...)
	if len(lb.buf) >= flushSize {
		lb.flushLocked()
	}
	return len(p), nil
}

func (lb *lineBuffer) flush() {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	lb.flushLocked()
}

func (lb *lineBuffer) flushLocked() {
	if len(lb.buf) > 0 {
		lb.w.Write(lb.buf)
		lb.buf = lb.buf[:0]
	}
}
