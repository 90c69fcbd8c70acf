package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/demotest"
	"github.com/gonehttp/gone/proxy"
)

// TestBrowserThroughProxy: the console served by `gone proxy` below its
// admin prefix signs in and lists a collection; its API calls reach the
// proxy's API (/_gone/api/…), never the upstream.
func TestBrowserThroughProxy(t *testing.T) {
	w := demotest.New(t)
	var upstreamHits atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		upstreamHits.Add(1)
		http.NotFound(rw, r)
	}))
	t.Cleanup(up.Close)
	rules, err := gonehttp.Load(context.Background(), w.Service)
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(up.URL)
	srv := httptest.NewServer(proxy.New(proxy.Config{Upstream: target, Rules: rules, Admin: w.Handler(nil, httpapi.WithFront(httpapi.FrontProxy))}))
	t.Cleanup(srv.Close)

	b := newBrowser(t, srv.URL+proxy.DefaultAdminPrefix[:len(proxy.DefaultAdminPrefix)-1])
	b.signIn(demotest.AdminToken)
	b.waitFor("admin role", `document.querySelector('#role')?.textContent === 'admin'`)
	b.open("#/c/users")
	b.waitFor("the live list", `!!document.querySelector('#items tr[data-id="42"]')`)
	if got := eval[string](b, `location.pathname`); got != "/_gone/admin/" {
		t.Errorf("the console is at %s, want /_gone/admin/", got)
	}
	b.checkPage("collections through the proxy")
	// A resource's Explain link names it as callers reach it, below the
	// admin prefix, and is explained as a resource, not a site path.
	b.open("#/r/users/42")
	if got := eval[string](b, `document.getElementById('explain-link').getAttribute('href')`); got != "#/explain?path=%2F_gone%2Fapi%2Fusers%2F42" {
		t.Errorf("explain link = %s, want the path below /_gone/", got)
	}
	b.open("#/explain?path=%2F_gone%2Fapi%2Fusers%2F42")
	b.waitFor("a resource's explanation", `!!document.querySelector('#flowchart') && (document.querySelector('#verdict-public .status')?.textContent || '').includes('HTTP 200')`)
	if n := upstreamHits.Load(); n != 0 {
		t.Errorf("the upstream saw %d of the console's requests", n)
	}
}
