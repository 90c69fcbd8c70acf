package gone

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// The 404 inbox: the unknown paths people and crawlers asked for, so that a
// site owner can answer each with a 410, a 308 or an ignore pattern. The
// front doors count misses in memory (package inbox) and add them to an
// InboxStore in batches.

// MaxReferrers is how many referrers an inbox entry keeps: the ones that
// sent the most hits.
const MaxReferrers = 5

// InboxEntry is one unknown path in the 404 inbox.
type InboxEntry struct {
	Path string `json:"path"`
	// Hits is every counted request; CrawlerHits of them came from
	// crawlers (by their User-Agent), the rest from people.
	Hits        int64      `json:"hits"`
	CrawlerHits int64      `json:"crawlerHits"`
	FirstSeen   time.Time  `json:"firstSeen"`
	LastSeen    time.Time  `json:"lastSeen"`
	Referrers   []Referrer `json:"referrers"`
}

// Referrer is a page that linked to an inbox entry (its Referer without
// query or fragment) and how many hits it sent.
type Referrer struct {
	URL  string `json:"url"`
	Hits int64  `json:"hits"`
}

// Add folds the counts of d (the same path, counted later) into e: hits
// add up, the first sighting is the earliest, the last the latest, and the
// referrers keep the MaxReferrers with the most hits. Every store merges
// with it, so they agree.
func (e *InboxEntry) Add(d InboxEntry) {
	e.Hits += d.Hits
	e.CrawlerHits += d.CrawlerHits
	if e.FirstSeen.IsZero() || !d.FirstSeen.IsZero() && d.FirstSeen.Before(e.FirstSeen) {
		e.FirstSeen = d.FirstSeen
	}
	if d.LastSeen.After(e.LastSeen) {
		e.LastSeen = d.LastSeen
	}
	e.Referrers = MergeReferrers(e.Referrers, d.Referrers)
}

// MergeReferrers adds b's hits to a's by URL and keeps the MaxReferrers
// with the most hits (ties by URL), most first.
func MergeReferrers(a, b []Referrer) []Referrer {
	out := slices.Clone(a)
	for _, r := range b {
		if i := slices.IndexFunc(out, func(o Referrer) bool { return o.URL == r.URL }); i >= 0 {
			out[i].Hits += r.Hits
		} else {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(x, y Referrer) int {
		return cmp.Or(cmp.Compare(y.Hits, x.Hits), cmp.Compare(x.URL, y.URL))
	})
	if len(out) > MaxReferrers {
		out = out[:MaxReferrers]
	}
	if out == nil {
		out = []Referrer{}
	}
	return out
}

// InboxQuery selects a page of the inbox, most hits first (ties: the most
// recently seen first, then by path).
type InboxQuery struct {
	// Offset skips that many entries; Limit (0: no limit) bounds the page.
	Offset, Limit int
}

// InboxLess orders entries as InboxQuery pages them; stores order the same.
func InboxLess(a, b InboxEntry) int {
	return cmp.Or(cmp.Compare(b.Hits, a.Hits), b.LastSeen.Compare(a.LastSeen), cmp.Compare(a.Path, b.Path))
}

// IgnorePattern is a glob whose paths the inbox never counts (see
// inbox.ParsePattern for the syntax).
type IgnorePattern struct {
	Pattern   string    `json:"pattern"`
	CreatedAt time.Time `json:"createdAt"`
	CreatedBy string    `json:"createdBy"`
}

// InboxStore keeps the 404 inbox. sqlite.Store and postgres.Store implement
// it beside gone.Store; the conformance suite in storetest defines it.
type InboxStore interface {
	// AddMisses folds a batch of counts into the inbox in one
	// transaction (InboxEntry.Add for a path already there), then drops
	// the entries past the max with the fewest hits (the least recently
	// seen first among equals), so at most max entries stay stored. It
	// returns how many entries it dropped.
	AddMisses(ctx context.Context, batch []InboxEntry, max int) (dropped int, err error)
	// Inbox returns a page of entries in InboxLess order.
	Inbox(ctx context.Context, q InboxQuery) ([]InboxEntry, error)
	// InboxEntry returns one entry, or ENOTFOUND.
	InboxEntry(ctx context.Context, path string) (InboxEntry, error)
	// InboxLen is how many entries are stored.
	InboxLen(ctx context.Context) (int, error)
	// RemoveInbox deletes the entries of paths (absent ones are skipped)
	// and returns how many it deleted.
	RemoveInbox(ctx context.Context, paths []string) (int, error)
	// IgnorePatterns returns every ignore pattern, oldest first (ties by
	// pattern).
	IgnorePatterns(ctx context.Context) ([]IgnorePattern, error)
	// AddIgnorePattern stores p; ECONFLICT when the pattern is stored
	// already.
	AddIgnorePattern(ctx context.Context, p IgnorePattern) error
	// RemoveIgnorePattern deletes a pattern, or returns ENOTFOUND.
	RemoveIgnorePattern(ctx context.Context, pattern string) error
}

// MissRecorder is told about the unknown paths a front door answers 404
// (inbox.Recorder). RecordMiss must return at once: it runs on the
// request's path.
type MissRecorder interface {
	RecordMiss(path, referrer, userAgent string)
}
