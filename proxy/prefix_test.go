package proxy_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/internal/demotest"
	"github.com/gonehttp/gone/proxy"
)

// TestAdminLocationPrefixed: the API below the admin prefix redirects
// within it (a moved resource's 308 is followed to the proxy's API, not
// the upstream), and its change stream still flushes through the proxy.
func TestAdminLocationPrefixed(t *testing.T) {
	w := demotest.New(t)
	up := newUpstream(t)
	rules, err := gonehttp.Load(context.Background(), w.Service)
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(up.URL)
	base := newServer(t, proxy.New(proxy.Config{Upstream: target, Rules: rules, Admin: w.Handler(nil)}))

	resp := send(t, "GET", base+"/_gone/api/promotions/current")
	if resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != "/_gone/api/promotions/winter-sale-2026" {
		t.Errorf("GET a moved resource: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	followed, err := http.Get(base + "/_gone/api/promotions/current")
	if err != nil {
		t.Fatal(err)
	}
	followed.Body.Close()
	if followed.StatusCode != http.StatusOK || followed.Request.URL.Path != "/_gone/api/promotions/winter-sale-2026" {
		t.Errorf("followed to %s: %d", followed.Request.URL.Path, followed.StatusCode)
	}
	if got := up.take(); len(got) != 0 {
		t.Errorf("the upstream saw %d requests", len(got))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/_gone/api/changes?since=now", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+demotest.AdminToken)
	stream, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	line, err := bufio.NewReader(stream.Body).ReadString('\n')
	if stream.StatusCode != http.StatusOK || err != nil || !strings.Contains(stream.Header.Get("Content-Type"), "text/event-stream") {
		t.Errorf("change stream through the proxy: %d %v, first line %q, %v", stream.StatusCode, stream.Header, line, err)
	}
}
