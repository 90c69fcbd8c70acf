package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// testInbox checks gone.InboxStore, which every store that serves requests
// implements beside gone.Store.
func testInbox(t *testing.T, newStore func(t *testing.T) gone.Store) {
	inboxStore := func(t *testing.T) gone.InboxStore {
		t.Helper()
		s := open(t, newStore)
		is, ok := s.(gone.InboxStore)
		if !ok {
			t.Fatalf("%T does not implement gone.InboxStore", s)
		}
		return is
	}
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

	t.Run("AddMergesAndOrders", func(t *testing.T) {
		t.Parallel()
		s := inboxStore(t)
		batch1 := []gone.InboxEntry{
			{Path: "/a", Hits: 3, CrawlerHits: 1, FirstSeen: at(10), LastSeen: at(20),
				Referrers: []gone.Referrer{{URL: "https://x.example/p", Hits: 2}}},
			{Path: "/b", Hits: 5, FirstSeen: at(5), LastSeen: at(6), Referrers: []gone.Referrer{}},
		}
		batch2 := []gone.InboxEntry{
			{Path: "/a", Hits: 4, CrawlerHits: 2, FirstSeen: at(1), LastSeen: at(30),
				Referrers: []gone.Referrer{{URL: "https://x.example/p", Hits: 1}, {URL: "https://y.example/", Hits: 1}}},
			{Path: "/c", Hits: 5, FirstSeen: at(7), LastSeen: at(8), Referrers: []gone.Referrer{}},
		}
		for i, b := range [][]gone.InboxEntry{batch1, batch2} {
			if dropped, err := s.AddMisses(ctx(t), b, 100); err != nil || dropped != 0 {
				t.Fatalf("AddMisses(batch %d) = %d, %v; want 0, nil", i+1, dropped, err)
			}
		}
		want := gone.InboxEntry{Path: "/a", Hits: 7, CrawlerHits: 3, FirstSeen: at(1), LastSeen: at(30),
			Referrers: []gone.Referrer{{URL: "https://x.example/p", Hits: 3}, {URL: "https://y.example/", Hits: 1}}}
		got, err := s.InboxEntry(ctx(t), "/a")
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("InboxEntry(/a) = %+v, %v; want %+v", got, err, want)
		}
		list, err := s.Inbox(ctx(t), gone.InboxQuery{})
		if err != nil {
			t.Fatalf("Inbox: %v", err)
		}
		// /a has the most hits; /b and /c tie on hits, /c was seen last.
		if paths := entryPaths(list); !slices.Equal(paths, []string{"/a", "/c", "/b"}) {
			t.Errorf("Inbox order = %v, want [/a /c /b]", paths)
		}
		if !slices.IsSortedFunc(list, gone.InboxLess) {
			t.Errorf("Inbox is not in InboxLess order: %v", entryPaths(list))
		}
		page, err := s.Inbox(ctx(t), gone.InboxQuery{Offset: 1, Limit: 1})
		if err != nil || !slices.Equal(entryPaths(page), []string{"/c"}) {
			t.Errorf("Inbox(offset 1, limit 1) = %v, %v; want [/c]", entryPaths(page), err)
		}
		if n, err := s.InboxLen(ctx(t)); n != 3 || err != nil {
			t.Errorf("InboxLen = %d, %v; want 3", n, err)
		}
	})

	t.Run("CapDropsFewestHits", func(t *testing.T) {
		t.Parallel()
		s := inboxStore(t)
		var batch []gone.InboxEntry
		for i := range 10 {
			batch = append(batch, gone.InboxEntry{Path: fmt.Sprintf("/p%d", i), Hits: int64(i + 1), FirstSeen: at(i), LastSeen: at(i)})
		}
		dropped, err := s.AddMisses(ctx(t), batch, 4)
		if err != nil || dropped != 6 {
			t.Fatalf("AddMisses(10 entries, max 4) = %d, %v; want 6 dropped", dropped, err)
		}
		list, err := s.Inbox(ctx(t), gone.InboxQuery{})
		if want := []string{"/p9", "/p8", "/p7", "/p6"}; err != nil || !slices.Equal(entryPaths(list), want) {
			t.Errorf("after the cap, Inbox = %v, %v; want %v", entryPaths(list), err, want)
		}
		// A new path with one hit does not push out a busier one.
		if dropped, err := s.AddMisses(ctx(t), []gone.InboxEntry{{Path: "/new", Hits: 1, FirstSeen: at(50), LastSeen: at(50)}}, 4); err != nil || dropped != 1 {
			t.Fatalf("AddMisses(/new) = %d, %v; want 1 dropped", dropped, err)
		}
		if _, err := s.InboxEntry(ctx(t), "/new"); gone.ErrorCode(err) != gone.ENOTFOUND {
			t.Errorf("InboxEntry(/new) after the cap: err = %v, want ENOTFOUND", err)
		}
	})

	t.Run("Remove", func(t *testing.T) {
		t.Parallel()
		s := inboxStore(t)
		if _, err := s.AddMisses(ctx(t), []gone.InboxEntry{{Path: "/a", Hits: 1, FirstSeen: at(1), LastSeen: at(1)}, {Path: "/b", Hits: 1, FirstSeen: at(1), LastSeen: at(1)}}, 10); err != nil {
			t.Fatal(err)
		}
		if n, err := s.RemoveInbox(ctx(t), []string{"/a", "/nothing"}); n != 1 || err != nil {
			t.Errorf("RemoveInbox(/a, /nothing) = %d, %v; want 1", n, err)
		}
		if _, err := s.InboxEntry(ctx(t), "/a"); gone.ErrorCode(err) != gone.ENOTFOUND {
			t.Errorf("InboxEntry(/a) after removal: err = %v, want ENOTFOUND", err)
		}
		if n, err := s.InboxLen(ctx(t)); n != 1 || err != nil {
			t.Errorf("InboxLen = %d, %v; want 1", n, err)
		}
	})

	t.Run("IgnorePatterns", func(t *testing.T) {
		t.Parallel()
		s := inboxStore(t)
		ps, err := s.IgnorePatterns(ctx(t))
		if err != nil || len(ps) != 0 {
			t.Errorf("IgnorePatterns on an empty store = %v, %v; want none", ps, err)
		}
		want := []gone.IgnorePattern{
			{Pattern: "*.php", CreatedAt: at(1), CreatedBy: "admin"},
			{Pattern: "/wp-login.php", CreatedAt: at(2), CreatedBy: "ops"},
		}
		for _, p := range want {
			if err := s.AddIgnorePattern(ctx(t), p); err != nil {
				t.Fatalf("AddIgnorePattern(%s): %v", p.Pattern, err)
			}
		}
		if err := s.AddIgnorePattern(ctx(t), want[0]); gone.ErrorCode(err) != gone.ECONFLICT {
			t.Errorf("AddIgnorePattern(a stored pattern): err = %v, want ECONFLICT", err)
		}
		ps, err = s.IgnorePatterns(ctx(t))
		if err != nil || fmt.Sprint(ps) != fmt.Sprint(want) {
			t.Errorf("IgnorePatterns = %v, %v; want %v", ps, err, want)
		}
		if err := s.RemoveIgnorePattern(ctx(t), "*.php"); err != nil {
			t.Errorf("RemoveIgnorePattern(*.php): %v", err)
		}
		if err := s.RemoveIgnorePattern(ctx(t), "*.php"); gone.ErrorCode(err) != gone.ENOTFOUND {
			t.Errorf("RemoveIgnorePattern(*.php) twice: err = %v, want ENOTFOUND", err)
		}
	})
}

func entryPaths(es []gone.InboxEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Path
	}
	return out
}
