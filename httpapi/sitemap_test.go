package httpapi_test

import (
	"encoding/json"
	"encoding/xml"
	"slices"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/demotest"
)

type urlset struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"url"`
}

type sitemapIndex struct {
	XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
}

func getXML(t *testing.T, e *env, path string, v any) {
	t.Helper()
	w := e.do(req{path: path})
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/xml; charset=utf-8" {
		t.Fatalf("GET %s: %d %s; want 200 application/xml", path, w.Code, w.Header().Get("Content-Type"))
	}
	if err := xml.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, w.Body)
	}
}

func TestSitemaps(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := e.world
	e.h = w.Handler(nil, httpapi.WithSitemaps(httpapi.SitemapSettings{BaseURL: "https://example.com", RemovedWindow: 24 * time.Hour, PerFile: 2}))
	ctx := t.Context()
	admin := gone.Caller{Name: "t", Scopes: []gone.Scope{gone.ScopeAdmin}}
	// users/42 is retired now; an account (a concealed collection) too.
	if _, err := w.Service.Delete(ctx, admin, "users", "42", gone.DeleteOptions{Permanent: true}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Service.Delete(ctx, admin, "accounts", "7", gone.DeleteOptions{Permanent: true}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := w.Service.Create(ctx, admin, "users", json.RawMessage(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	var removed urlset
	getXML(t, e, "/sitemap-removed.xml", &removed)
	// users/123 was deleted in January: outside the day's window.
	if len(removed.URLs) != 1 || removed.URLs[0].Loc != "https://example.com/api/users/42" ||
		removed.URLs[0].LastMod != demotest.Now.Format(time.RFC3339) {
		t.Errorf("removed sitemap = %+v; want only https://example.com/api/users/42 at %s", removed.URLs, demotest.Now.Format(time.RFC3339))
	}

	// Live: promotions' live ones and 3 new users, 2 to a file: an index.
	var idx sitemapIndex
	getXML(t, e, "/sitemap.xml", &idx)
	var all []string
	for i, sm := range idx.Sitemaps {
		if want := "https://example.com/sitemap.xml?page=" + string(rune('1'+i)); sm.Loc != want {
			t.Errorf("index entry %d = %s, want %s", i, sm.Loc, want)
		}
		var page urlset
		getXML(t, e, sm.Loc[len("https://example.com"):], &page)
		if len(page.URLs) == 0 || len(page.URLs) > 2 {
			t.Errorf("%s lists %d URLs, want 1 or 2", sm.Loc, len(page.URLs))
		}
		for _, u := range page.URLs {
			all = append(all, u.Loc)
		}
	}
	live, _, _ := w.Store.List(ctx, gone.ListQuery{Collection: "users", Now: w.Clock.Now()})
	if len(live) != 3 {
		t.Fatalf("live users = %d, want 3", len(live))
	}
	for _, r := range live {
		if !slices.Contains(all, "https://example.com/api/users/"+r.ID) {
			t.Errorf("sitemap pages %v miss live user %s", all, r.ID)
		}
	}
	for _, u := range all {
		if u == "https://example.com/api/users/42" || u == "https://example.com/api/accounts/7" {
			t.Errorf("sitemap lists %s, which is retired or private", u)
		}
	}
	if w := e.do(req{path: "/sitemap.xml?page=0"}); w.Code != 400 {
		t.Errorf("GET /sitemap.xml?page=0: %d, want 400", w.Code)
	}
}
