package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/sqlite"
)

func TestShopWithGone(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := gone.NewService(store, demo.Config())
	rules, err := gonehttp.Load(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newShop(rules))
	defer srv.Close()

	admin := gone.Caller{Name: "ops", Scopes: []gone.Scope{gone.ScopeAdmin}}
	set := func(s gone.RuleSpec) {
		if _, _, err := svc.SetRule(ctx, admin, s); err != nil {
			t.Fatal(err)
		}
	}
	// Set after Load: the table follows the service's changes at once.
	set(gone.RuleSpec{RuleKey: gone.RuleKey{Path: "/products/7"}, Action: gone.RuleGone, Reason: "Discontinued", Alternative: "/products/2"})
	set(gone.RuleSpec{RuleKey: gone.RuleKey{Path: "/products/1"}, Action: gone.RuleMoved, To: "/products/2"})
	set(gone.RuleSpec{RuleKey: gone.RuleKey{Path: "/checkout/", Prefix: true}, Action: gone.RuleUnavailable, At: time.Now().Add(time.Hour)})

	for _, tc := range []struct {
		path   string
		status int
		body   string
	}{
		{"/products/2", 200, `"name":"Teapot"`},
		{"/products/7", 410, `"reason":"Discontinued"`},             // the shop's lookup failed; gone knows it retired
		{"/products/../products/7", 410, `"reason":"Discontinued"`}, // the same path, spelled otherwise
		{"/products/9", 404, `"error":"Not Found"`},                 // never existed
		{"/products/1", 308, ""},                                    // moved, before the shop sees it
		{"/checkout/pay", 503, `"retryAfter":`},
		{"/nowhere", 404, `"message":"Nothing exists at /nowhere"`},
	} {
		req, _ := http.NewRequest("GET", srv.URL+tc.path, nil)
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.body) {
			t.Errorf("GET %s: %d %s; want %d with %s", tc.path, resp.StatusCode, b, tc.status, tc.body)
		}
	}
}
