package logbuf

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the flusher and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLinesWaitForTheTimerOrClose(t *testing.T) {
	var out syncBuffer
	w := New(&out, 1<<10, 0) // no timer: only a full buffer or Close writes
	w.Write([]byte("one\n"))
	if out.String() != "" {
		t.Fatalf("a line reached the output before any flush: %q", out.String())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "one\n" {
		t.Fatalf("after Close: %q, want the line", out.String())
	}
}

func TestTimerFlushes(t *testing.T) {
	var out syncBuffer
	w := New(&out, 1<<10, time.Millisecond)
	defer w.Close()
	w.Write([]byte("tick\n"))
	deadline := time.Now().Add(10 * time.Second)
	for out.String() != "tick\n" {
		if time.Now().After(deadline) {
			t.Fatal("the timer never flushed")
		}
		time.Sleep(time.Millisecond)
	}
}

// Lines are never split or interleaved, however full the buffer gets.
func TestLinesStayWhole(t *testing.T) {
	var out syncBuffer
	w := New(&out, 600, 0)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			line := strings.Repeat(string(rune('a'+g)), 99) + "\n"
			for range 200 {
				w.Write([]byte(line))
			}
		}()
	}
	wg.Wait()
	w.Close()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 1600 {
		t.Fatalf("%d lines, want 1600", len(lines))
	}
	for i, l := range lines {
		if len(l) != 99 || strings.Count(l, l[:1]) != 99 {
			t.Fatalf("line %d is mixed or cut: %q", i, l)
		}
	}
}
