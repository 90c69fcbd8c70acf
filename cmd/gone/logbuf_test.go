package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer records each Write separately.
type lockedBuffer struct {
	mu     sync.Mutex
	writes []string
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writes = append(b.writes, string(p))
	return len(p), nil
}

func TestLineBufferWritesWholeLinesAndFlushesAtStop(t *testing.T) {
	out := &lockedBuffer{}
	lb, stop := newLineBuffer(context.Background(), out)
	line := strings.Repeat("x", 999) + "\n"
	for range 100 { // 100 KB: several size-triggered flushes
		lb.Write([]byte(line))
	}
	lb.Write([]byte("last\n"))
	stop()
	var all bytes.Buffer
	for _, w := range out.writes {
		if !strings.HasSuffix(w, "\n") {
			t.Fatalf("a write of %d bytes ends mid-line", len(w))
		}
		all.WriteString(w)
	}
	if want := strings.Repeat(line, 100) + "last\n"; all.String() != want {
		t.Errorf("wrote %d bytes, want %d, in order", all.Len(), len(want))
	}
	if len(out.writes) < 3 || len(out.writes) > 10 {
		t.Errorf("%d writes for 100 KB, want a few (batched)", len(out.writes))
	}
}
