package inbox

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// startRecorder runs a recorder over a fresh SQLite store until the test
// ends.
func startRecorder(t *testing.T, opt Options) (*Recorder, gone.InboxStore) {
	t.Helper()
	store := openStore(t)
	r := NewRecorder(store, opt)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return r, store
}

func inboxPaths(t *testing.T, s gone.InboxStore) []string {
	t.Helper()
	es, err := s.Inbox(context.Background(), gone.InboxQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return entryPaths(es)
}

func entryPaths(es []gone.InboxEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Path)
	}
	return out
}

// TestRecordMissNeverBlocks: with nothing counting (the counter stalled),
// a million misses return at once; what does not fit the queue is dropped
// and counted as dropped.
func TestRecordMissNeverBlocks(t *testing.T) {
	t.Parallel()
	r := NewRecorder(openStore(t), Options{Queue: 8})
	const n = 1_000_000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range n {
			r.RecordMiss("/x", "", "")
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("RecordMiss blocked with the queue full")
	}
	if got := r.Stats().Dropped; got != n-8 {
		t.Errorf("dropped = %d, want %d (all but the queue's 8)", got, n-8)
	}
}

func TestRecorderFlushAndIgnore(t *testing.T) {
	t.Parallel()
	r, store := startRecorder(t, Options{FlushEvery: time.Hour})
	ctx := context.Background()
	for range 3 {
		r.RecordMiss("/old", "https://a.example/page?utm=x", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
	}
	r.RecordMiss("/wp-login.php", "", "")
	r.RecordMiss("/"+string(make([]byte, MaxPathBytes)), "", "") // too long
	if got := inboxPaths(t, store); len(got) != 0 {
		t.Errorf("before a flush the store holds %v, want nothing: no write per request", got)
	}
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := inboxPaths(t, store), []string{"/old", "/wp-login.php"}; !slices.Equal(got, want) {
		t.Errorf("after a flush the inbox = %v, want %v", got, want)
	}
	e, err := store.InboxEntry(ctx, "/old")
	if err != nil || e.Hits != 3 || len(e.Referrers) != 1 || e.Referrers[0].URL != "https://a.example/page" {
		t.Errorf("/old = %+v, %v; want 3 hits from https://a.example/page", e, err)
	}
	if st := r.Stats(); st.Dropped != 1 || st.Flushes != 1 {
		t.Errorf("stats = %+v, want 1 dropped (the long path), 1 flush", st)
	}

	// An ignore pattern drops its paths before they are counted.
	r.setPatterns(Patterns{"*.php"})
	r.RecordMiss("/wp-login.php", "", "")
	r.RecordMiss("/admin/x.php", "", "")
	r.RecordMiss("/old", "", "")
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if e, _ := store.InboxEntry(ctx, "/wp-login.php"); e.Hits != 1 {
		t.Errorf("/wp-login.php hits = %d after it was ignored, want still 1", e.Hits)
	}
	if _, err := store.InboxEntry(ctx, "/admin/x.php"); gone.ErrorCode(err) != gone.ENOTFOUND {
		t.Errorf("/admin/x.php: err = %v, want ENOTFOUND (ignored)", err)
	}
	if st := r.Stats(); st.Ignored != 2 {
		t.Errorf("ignored = %d, want 2", st.Ignored)
	}

	// Forget: counts not flushed yet for a path acted on are dropped.
	r.mu.Lock() // count directly, as Run would: the order is the test's
	r.counter.Add("/later", "", false, time.Now())
	r.mu.Unlock()
	r.Forget("/later")
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if e, err := store.InboxEntry(ctx, "/later"); gone.ErrorCode(err) != gone.ENOTFOUND {
		t.Errorf("/later = %+v, %v after Forget; want ENOTFOUND", e, err)
	}
}

// TestRecorderReloadsPatterns: a pattern stored by another instance
// applies from the next flush.
func TestRecorderReloadsPatterns(t *testing.T) {
	t.Parallel()
	r, store := startRecorder(t, Options{FlushEvery: 20 * time.Millisecond})
	ctx := context.Background()
	if err := store.AddIgnorePattern(ctx, gone.IgnorePattern{Pattern: "/.env", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		ok := r.patterns.Match("/.env")
		r.mu.Unlock()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the stored pattern was not read within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkRecordMiss is what recording adds to a 404: a channel send
// (or, with the queue full, a counted drop).
func BenchmarkRecordMiss(b *testing.B) {
	r := NewRecorder(openStore(b), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.RecordMiss("/p/"+string(rune('a'+i%26)), "https://ref.example/", "Mozilla/5.0")
	}
}
