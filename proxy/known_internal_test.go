package proxy

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// worstKnown fills a set with MaxKnown paths as long as may be learned,
// all alike and under one first segment, the shape that made one 404 cost
// 100 s of CPU before suggestions had a budget.
func worstKnown() (*Known, string) {
	k := NewKnown()
	base := "/docs/" + strings.Repeat("section-", (MaxKnownPath-20)/8)
	for i := range MaxKnown {
		k.pin(fmt.Sprintf("%s%08d", base, i))
	}
	return k, base + "zzzzzzzz"
}

// Promise: one suggestion computes at most MaxSuggestCells cells of the
// distance tables, whatever the set holds, and a query longer than any
// path that may be known computes none. Work is counted, not timed.
func TestSuggestStaysWithinItsBudget(t *testing.T) {
	t.Parallel()
	k, query := worstKnown()
	if k.Len() != MaxKnown {
		t.Fatalf("Len = %d, want %d", k.Len(), MaxKnown)
	}
	cases := []struct {
		name, path string
		most       int
	}{
		{"near-miss of many alike", query, MaxSuggestCells},
		{"one edit from a known path", strings.Replace(query, "zzzzzzzz", "0000000X", 1), MaxSuggestCells},
		{"longer than any known path", "/docs/" + strings.Repeat("x", 4096), 0},
		{"another first segment", "/blog" + query[5:], MaxSuggestCells},
	}
	for _, c := range cases {
		_, cells := k.suggest(context.Background(), c.path)
		if cells > c.most {
			t.Errorf("%s: %d cells computed, want at most %d", c.name, cells, c.most)
		}
	}
	// And the budget still finds what is near: a one-edit typo of a path.
	if got, want := k.Suggest(strings.Replace(query, "zzzzzzzz", "0000004X", 1)), query[:len(query)-8]+"00000040"; got == "" {
		t.Errorf("Suggest(one edit from %s) = %q, want a suggestion", want, got)
	}
}

// A cancelled request stops comparing.
func TestSuggestHonoursTheContext(t *testing.T) {
	t.Parallel()
	k, query := worstKnown()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, cells := k.suggest(ctx, query); cells > MaxSuggestCells/10 {
		t.Errorf("cancelled: %d cells computed, want the work of at most 64 comparisons", cells)
	}
}

// Learning is bounded in rate and in memory: a burst past learnBurst is
// not learned, and a full set lets its oldest learned path go, never a
// sitemap's.
func TestKnownLearnsAtABoundedRateAndEvicts(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := NewKnown()
	k.now = func() time.Time { return now }
	k.pin("/from-the-sitemap")
	for i := range 2 * learnBurst {
		k.Add(fmt.Sprintf("/p%d", i))
	}
	if got, want := k.Len(), 1+learnBurst; got != want {
		t.Errorf("after a burst of %d: Len = %d, want %d", 2*learnBurst, got, want)
	}
	if k.Add("/" + strings.Repeat("x", MaxKnownPath)); k.Len() != 1+learnBurst {
		t.Errorf("a path longer than %d bytes was learned", MaxKnownPath)
	}
	// Fill the set over time; it never holds more than MaxKnown.
	for i := range MaxKnown + 50 {
		now = now.Add(time.Second / learnPerSecond)
		k.Add(fmt.Sprintf("/q%d", i))
	}
	if k.Len() != MaxKnown {
		t.Errorf("Len = %d, want %d", k.Len(), MaxKnown)
	}
	if _, ok := k.paths["/from-the-sitemap"]; !ok {
		t.Error("the sitemap's path was evicted")
	}
	if _, ok := k.paths["/p0"]; ok {
		t.Error("the oldest learned path is still known after the set filled")
	}
	if _, ok := k.paths[fmt.Sprintf("/q%d", MaxKnown+49)]; !ok {
		t.Error("the newest path was not learned")
	}
}

// BenchmarkSuggestWorstCase is one suggestion over a full set of long,
// alike paths under the query's first segment (run it briefly:
// -bench SuggestWorstCase -benchtime 200x).
func BenchmarkSuggestWorstCase(b *testing.B) {
	k, query := worstKnown()
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		k.SuggestContext(ctx, query)
	}
}
