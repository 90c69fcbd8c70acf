package inbox

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/inbox/crawler"
	"github.com/gonehttp/gone/sqlite"
)

// countingStore is a real SQLite store that counts its batch writes.
type countingStore struct {
	*sqlite.Store
	writes int
}

func (s *countingStore) AddMisses(ctx context.Context, b []gone.InboxEntry, max int) (int, error) {
	s.writes++
	return s.Store.AddMisses(ctx, b, max)
}

func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestFlood asks for a million distinct random paths, among which a few
// real paths are asked for a few thousand times each. Memory (the
// counter's entries and bytes) and the store (its entries and writes) stay
// within their stated bounds, and the real paths are the top of the inbox
// with their hits counted.
func TestFlood(t *testing.T) {
	t.Parallel()
	const (
		noise      = 1_000_000
		capacity   = 1000
		maxStored  = 500
		flushEvery = 100_000 // misses between flushes: ten flushes in all
	)
	hot := map[string]int{"/old-pricing": 6000, "/blog/2019/launch": 4000, "/docs/v1/install": 3000, "/favicon.ico": 2500}
	store := &countingStore{Store: openStore(t)}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	r := NewRecorder(store, Options{Capacity: capacity, MaxStored: maxStored, Now: func() time.Time { return now },
		IsCrawler: crawler.New().IsCrawler})
	const (
		browser = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
		bot     = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
	)
	uaOf := func(p string) string {
		if p == "/favicon.ico" {
			return bot
		}
		return browser
	}

	// The hot paths' hits are spread evenly through the noise.
	var stream []string
	for p, n := range hot {
		for range n {
			stream = append(stream, p)
		}
	}
	total := noise + len(stream)
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(stream), func(i, j int) { stream[i], stream[j] = stream[j], stream[i] })
	hotAt := map[int]string{}
	for _, p := range stream {
		hotAt[rng.IntN(total)] = p // a collision merely drops one hot hit
	}
	want := map[string]int{}
	for _, p := range hotAt {
		want[p]++
	}

	maxLen, maxBytes, flushes := 0, 0, 0
	for i := range total {
		p, ok := hotAt[i]
		ua := ""
		if ok {
			ua = uaOf(p)
		} else {
			p = fmt.Sprintf("/%016x/%d.html", rng.Uint64(), i)
		}
		r.count(miss{path: p, referrer: "https://ref.example/" + p[1:5] + "?q=secret", userAgent: ua, at: now})
		if i%1000 == 0 {
			now = now.Add(time.Second)
		}
		if i%flushEvery == flushEvery-1 {
			if err := r.flush(context.Background()); err != nil {
				t.Fatalf("flush: %v", err)
			}
			flushes++
			st := r.Stats()
			maxLen, maxBytes = max(maxLen, st.Tracked), max(maxBytes, st.Bytes)
		}
		if i%50_000 == 0 {
			st := r.Stats()
			maxLen, maxBytes = max(maxLen, st.Tracked), max(maxBytes, st.Bytes)
		}
	}
	if maxLen > capacity {
		t.Errorf("paths counted in memory peaked at %d, want at most the capacity %d", maxLen, capacity)
	}
	if bound := MaxBytes(capacity); maxBytes > bound {
		t.Errorf("counter bytes peaked at %d, want at most MaxBytes(%d) = %d", maxBytes, capacity, bound)
	}
	t.Logf("%d misses: counter peaked at %d paths, %d bytes (bound %d); %d store writes", total, maxLen, maxBytes, MaxBytes(capacity), store.writes)
	if store.writes > flushes {
		t.Errorf("store writes = %d, want at most one per flush (%d)", store.writes, flushes)
	}
	n, err := store.InboxLen(context.Background())
	if err != nil || n > maxStored {
		t.Errorf("stored entries = %d, %v; want at most %d", n, err, maxStored)
	}
	entries, err := store.Inbox(context.Background(), gone.InboxQuery{Limit: len(hot)})
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		w, ok := want[e.Path]
		if !ok {
			t.Errorf("inbox entry %d is %s (%d hits), want one of the real paths %v", i, e.Path, e.Hits, want)
			continue
		}
		// A hot path may lose the hits it got before it held its slot
		// for good, never more than a few.
		if e.Hits > int64(w) || e.Hits < int64(w)*95/100 {
			t.Errorf("%s: stored hits = %d, want %d (at least 95%%)", e.Path, e.Hits, w)
		}
		if wantCrawler := map[bool]int64{true: e.Hits}[uaOf(e.Path) == bot]; e.CrawlerHits != wantCrawler {
			t.Errorf("%s: crawler hits = %d, want %d (User-Agent %q)", e.Path, e.CrawlerHits, wantCrawler, uaOf(e.Path))
		}
		if wantRef := "https://ref.example/" + e.Path[1:5]; len(e.Referrers) != 1 || e.Referrers[0].URL != wantRef || e.Referrers[0].Hits != e.Hits {
			t.Errorf("%s: referrers = %+v, want [{%s %d}] (the query cut off)", e.Path, e.Referrers, wantRef, e.Hits)
		}
	}
	if len(entries) != len(hot) {
		t.Errorf("inbox top = %d entries, want the %d real paths", len(entries), len(hot))
	}
	t.Logf("stored entries after the flood: %d (noise among them: %d)", n, n-len(hot))
}
