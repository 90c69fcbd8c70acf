package sitemap_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/sitemap"
	"github.com/gonehttp/gone/sqlite"
)

// The removed sitemap lists what the public is told is gone, by the one
// decision: an id past its reuse quarantine answers 404 and is not listed
// (listing it would say it once existed), though it is still a tombstone
// retired within the window.
func TestRemovedFollowsTheDecision(t *testing.T) {
	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := &gone.Config{Collections: map[string]gone.Policy{
		"posts":  {Collection: "posts", Disclosure: gone.DiscloseFull, GoneMaxAge: time.Hour, NotFoundMaxAge: time.Minute},
		"drafts": {Collection: "drafts", Disclosure: gone.DiscloseFull, GoneMaxAge: time.Hour, NotFoundMaxAge: time.Minute, ReuseAfter: time.Hour},
	}}
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	now := at
	svc := gone.NewService(store, cfg, gone.WithClock(func() time.Time { return now }))
	admin := gone.Caller{Name: "t", Scopes: []gone.Scope{gone.ScopeAdmin}}
	for _, c := range []string{"posts", "drafts"} {
		if _, _, err := svc.Put(ctx, admin, c, "a", json.RawMessage(`{}`), gone.Preconditions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Delete(ctx, admin, c, "a", gone.DeleteOptions{Permanent: true}, gone.Preconditions{}); err != nil {
			t.Fatal(err)
		}
	}
	path := func(c, id string) string { return "/api/" + c + "/" + id }
	listed := func(at time.Time) map[string]bool {
		entries, err := sitemap.Removed(ctx, store.List, cfg, []string{"posts", "drafts"}, path, at, 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, e := range entries {
			m[e.Path] = true
		}
		return m
	}
	if got := listed(at.Add(time.Minute)); !got["/api/posts/a"] || !got["/api/drafts/a"] {
		t.Errorf("a minute after both deletes: %v, want both listed (both answer 410)", got)
	}
	if got := listed(at.Add(2 * time.Hour)); !got["/api/posts/a"] || got["/api/drafts/a"] {
		t.Errorf("past drafts' one-hour quarantine: %v, want posts only (drafts/a answers 404)", got)
	}
}
