// Package sitemap writes the sitemaps protocol's files
// (https://www.sitemaps.org/protocol.html) for gone: a sitemap of the live
// public resources, and one of the paths retired lately, which search
// engines' advice is to publish for a while, with the retirement as
// lastmod, so that the 410s are crawled, and dropped, sooner.
package sitemap

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gonehttp/gone"
)

// MaxURLs is how many URLs one sitemap file may list; past it, the
// protocol's sitemap index points to several files.
const MaxURLs = 50000

// DefaultRemovedWindow is how long a retired path stays in the removed
// sitemap.
const DefaultRemovedWindow = 30 * 24 * time.Hour

// Entry is one URL of a sitemap: a path (made absolute when written) and
// when it last changed.
type Entry struct {
	Path    string
	LastMod time.Time
}

type urlXML struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// WriteURLSet writes a <urlset> of entries below base ("https://example.com").
func WriteURLSet(w io.Writer, base string, entries []Entry) error {
	return write(w, "urlset", "url", base, entries)
}

// WriteIndex writes a <sitemapindex> whose entries are sitemap files.
func WriteIndex(w io.Writer, base string, entries []Entry) error {
	return write(w, "sitemapindex", "sitemap", base, entries)
}

func write(w io.Writer, root, item, base string, entries []Entry) error {
	if _, err := io.WriteString(w, xml.Header+`<`+root+` xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+"\n"); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	for _, e := range entries {
		u := urlXML{Loc: base + e.Path}
		if !e.LastMod.IsZero() {
			u.LastMod = e.LastMod.UTC().Format(time.RFC3339)
		}
		if err := enc.EncodeElement(u, xml.StartElement{Name: xml.Name{Local: item}}); err != nil {
			return err
		}
		if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, `</`+root+`>`+"\n")
	return err
}

// Public lists the collections a sitemap may name: neither private (a
// caller needs a token to read them) nor concealed (their 410s must look
// like never-existed 404s, so a list of them would tell what conceal
// hides).
func Public(cfg *gone.Config) []string {
	var out []string
	for _, name := range cfg.Names() {
		if p, _ := cfg.Policy(name); !p.Private && p.Disclosure != gone.DiscloseConceal {
			out = append(out, name)
		}
	}
	return out
}

// ListFunc reads one page of records as gone.Store.List does: a store's
// List, or a gone.Service's Scan. A sitemap reads nothing else.
type ListFunc func(ctx context.Context, q gone.ListQuery) ([]*gone.Record, string, error)

// listPage is how many records one List call reads.
const listPage = 1000

// each calls fn for every record of collection in state at now.
func each(ctx context.Context, list ListFunc, collection string, state gone.State, now time.Time, fn func(*gone.Record)) error {
	q := gone.ListQuery{Collection: collection, State: state, Now: now, Limit: listPage}
	for {
		recs, next, err := list(ctx, q)
		if err != nil {
			return err
		}
		for _, r := range recs {
			fn(r)
		}
		if next == "" {
			return nil
		}
		q.After = next
	}
}

// policy is the policy a record of collection is decided under: the
// config's, or the rules' for the path rules.
func policy(cfg *gone.Config, collection string) gone.Policy {
	if collection == gone.RulesCollection {
		return gone.RulePolicy
	}
	p, _ := cfg.Policy(collection)
	return p
}

// answers reports whether an anonymous read of r, decided now by the one
// decision, is want: a sitemap lists what the public is told, never what
// a record's state alone would say (a retired id past its reuse
// quarantine answers 404, and must not be listed as removed).
func answers(r *gone.Record, p gone.Policy, now time.Time, want gone.Answer) bool {
	return gone.Decide(gone.Input{Record: r, Now: now, Policy: p, WithoutPath: true}).Answer == want
}

// Live returns page (0-based) of the live resources of the public
// collections, MaxURLs (or per, when positive) to a page, and how many
// there are in all. path makes a resource's public path.
func Live(ctx context.Context, list ListFunc, cfg *gone.Config, path func(collection, id string) string, now time.Time, page, per int) ([]Entry, int, error) {
	if per <= 0 {
		per = MaxURLs
	}
	var out []Entry
	n := 0
	for _, c := range Public(cfg) {
		p := policy(cfg, c)
		err := each(ctx, list, c, gone.StateLive, now, func(r *gone.Record) {
			if !answers(r, p, now, gone.AnswerOK) {
				return
			}
			if n/per == page {
				out = append(out, Entry{Path: path(c, r.ID), LastMod: r.UpdatedAt})
			}
			n++
		})
		if err != nil {
			return nil, 0, err
		}
	}
	return out, n, nil
}

// Removed returns the paths of collections retired (410) within window
// before now, the latest first, at most MaxURLs. A retired prefix rule is
// listed by its prefix.
func Removed(ctx context.Context, list ListFunc, cfg *gone.Config, collections []string, path func(collection, id string) string, now time.Time, window time.Duration) ([]Entry, error) {
	var out []Entry
	since := now.Add(-window)
	for _, c := range collections {
		p := policy(cfg, c)
		err := each(ctx, list, c, gone.StateGone, now, func(r *gone.Record) {
			if at := r.RetiredAt(); !at.Before(since) && !at.After(now) && answers(r, p, now, gone.AnswerGone) {
				out = append(out, Entry{Path: path(c, r.ID), LastMod: at})
			}
		})
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastMod.After(out[j].LastMod) })
	if len(out) > MaxURLs {
		out = out[:MaxURLs]
	}
	return out, nil
}

// Base is the absolute URL a sitemap's paths are written below: the
// configured one, or the request's own scheme and host.
func Base(r *http.Request, configured string) string {
	if configured != "" {
		return configured
	}
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// Serve sends a sitemap, which search engines (and shared caches) may keep
// for MaxAge.
func Serve(w http.ResponseWriter, r *http.Request, b []byte) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(MaxAge/time.Second)))
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}

// MaxAge is how long a sitemap is kept, by its readers and by Memo.
const MaxAge = 5 * time.Minute

// Memo keeps each built list for MaxAge, so that an anonymous GET of a
// sitemap costs a scan of the store at most once per MaxAge and list
// (the answer says it may be kept that long anyway). Keys are few: the
// removed list, and one per page of the live one that exists.
type Memo struct {
	mu sync.Mutex
	m  map[string]memoEntry
}

type memoEntry struct {
	at      time.Time
	entries []Entry
	total   int
}

// Get returns key's list, built by build when there is none younger
// than MaxAge at now. Concurrent misses wait for one build.
func (m *Memo) Get(key string, now time.Time, build func() ([]Entry, int, error)) ([]Entry, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.m[key]; ok && now.Sub(e.at) < MaxAge && !now.Before(e.at) {
		return e.entries, e.total, nil
	}
	entries, total, err := build()
	if err != nil {
		return nil, 0, err
	}
	if m.m == nil {
		m.m = map[string]memoEntry{}
	}
	m.m[key] = memoEntry{at: now, entries: entries, total: total}
	return entries, total, nil
}

// RemovedHandler serves the removed sitemap of the proxy's rules at
// /sitemap-removed.xml: the paths a rule retired within window, below
// base (the request's own scheme and host when empty). fail answers a
// request it cannot serve with the door's own problem: 405 for a method
// other than GET or HEAD, 503 when the store does not answer.
func RemovedHandler(list ListFunc, now func() time.Time, window time.Duration, base string, fail func(w http.ResponseWriter, r *http.Request, status int)) http.Handler {
	if window <= 0 {
		window = DefaultRemovedWindow
	}
	rulePath := func(_, id string) string {
		k, _ := gone.ParseRuleID(id)
		return k.Path
	}
	var memo Memo
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			fail(w, r, http.StatusMethodNotAllowed)
			return
		}
		at := now()
		entries, _, err := memo.Get("removed", at, func() ([]Entry, int, error) {
			e, err := Removed(r.Context(), list, nil, []string{gone.RulesCollection}, rulePath, at, window)
			return e, len(e), err
		})
		if err != nil {
			// Unsure is 503, never a list that may miss retired paths.
			fail(w, r, http.StatusServiceUnavailable)
			return
		}
		var buf bytes.Buffer
		WriteURLSet(&buf, Base(r, base), entries) // a bytes.Buffer never fails a write
		Serve(w, r, buf.Bytes())
	})
}
