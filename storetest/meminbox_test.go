package storetest

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/gonehttp/gone"
)

// memInbox is the reference gone.InboxStore: the domain's own merge and
// order over a map.
type memInbox struct {
	mu       sync.Mutex
	entries  map[string]gone.InboxEntry
	patterns []gone.IgnorePattern
}

func (m *memInbox) init() {
	if m.entries == nil {
		m.entries = map[string]gone.InboxEntry{}
	}
}

func (s *memStore) AddMisses(ctx context.Context, batch []gone.InboxEntry, max int) (int, error) {
	m := &s.inbox
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	for _, d := range batch {
		e, ok := m.entries[d.Path]
		if !ok {
			e = gone.InboxEntry{Path: d.Path}
		}
		e.Add(d)
		e.FirstSeen, e.LastSeen = norm(e.FirstSeen), norm(e.LastSeen)
		m.entries[d.Path] = e
	}
	// The cap drops the tail of the listing's order: the fewest hits,
	// the least recently seen first.
	all := m.sorted()
	dropped := 0
	for len(all) > max {
		delete(m.entries, all[len(all)-1].Path)
		all = all[:len(all)-1]
		dropped++
	}
	return dropped, nil
}

func (m *memInbox) sorted() []gone.InboxEntry {
	var all []gone.InboxEntry
	for _, e := range m.entries {
		all = append(all, e)
	}
	slices.SortFunc(all, gone.InboxLess)
	return all
}

func (s *memStore) Inbox(ctx context.Context, q gone.InboxQuery) ([]gone.InboxEntry, error) {
	m := &s.inbox
	m.mu.Lock()
	defer m.mu.Unlock()
	all := m.sorted()
	all = all[min(max(q.Offset, 0), len(all)):]
	if q.Limit > 0 && len(all) > q.Limit {
		all = all[:q.Limit]
	}
	return append([]gone.InboxEntry{}, all...), nil
}

func (s *memStore) InboxEntry(ctx context.Context, path string) (gone.InboxEntry, error) {
	m := &s.inbox
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[path]
	if !ok {
		return e, gone.Errorf(gone.ENOTFOUND, "no entry")
	}
	return e, nil
}

func (s *memStore) InboxLen(ctx context.Context) (int, error) {
	m := &s.inbox
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries), nil
}

func (s *memStore) RemoveInbox(ctx context.Context, paths []string) (int, error) {
	m := &s.inbox
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, p := range paths {
		if _, ok := m.entries[p]; ok {
			delete(m.entries, p)
			n++
		}
	}
	return n, nil
}

func (s *memStore) IgnorePatterns(ctx context.Context) ([]gone.IgnorePattern, error) {
	m := &s.inbox
	m.mu.Lock()
	defer m.mu.Unlock()
	out := append([]gone.IgnorePattern{}, m.patterns...)
	slices.SortStableFunc(out, func(a, b gone.IgnorePattern) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.Pattern, b.Pattern))
	})
	return out, nil
}

func (s *memStore) AddIgnorePattern(ctx context.Context, p gone.IgnorePattern) error {
	m := &s.inbox
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range m.patterns {
		if q.Pattern == p.Pattern {
			return gone.Errorf(gone.ECONFLICT, "stored already")
		}
	}
	p.CreatedAt = norm(p.CreatedAt)
	m.patterns = append(m.patterns, p)
	return nil
}

func (s *memStore) RemoveIgnorePattern(ctx context.Context, pattern string) error {
	m := &s.inbox
	m.mu.Lock()
	defer m.mu.Unlock()
	i := slices.IndexFunc(m.patterns, func(q gone.IgnorePattern) bool { return q.Pattern == pattern })
	if i < 0 {
		return gone.Errorf(gone.ENOTFOUND, "no pattern")
	}
	m.patterns = slices.Delete(m.patterns, i, i+1)
	return nil
}
