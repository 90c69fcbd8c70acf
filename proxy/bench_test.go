package proxy_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/gonehttp/gone/edge"
	"github.com/gonehttp/gone/proxy"
)

// BenchmarkPassThrough compares gone's proxy (with and without its
// request log) with a bare httputil.ReverseProxy, in process, to one real
// upstream; CPU per request is what to compare (go test -bench . -cpuprofile).
func BenchmarkPassThrough(b *testing.B) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello\n")) }))
	defer up.Close()
	target, _ := url.Parse(up.URL)
	rules := noRules(b)
	tr := proxy.NewTransport()
	bare := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target); pr.SetXForwarded() }, Transport: tr}
	quiet := slog.New(slog.DiscardHandler)
	for name, h := range map[string]http.Handler{
		"bare":               bare,
		"gone":               proxy.New(proxy.Config{Upstream: target, Rules: rules, Transport: tr}),
		"gone+log":           edge.Handler(proxy.New(proxy.Config{Upstream: target, Rules: rules, Transport: tr}), edge.Config{Log: slog.New(slog.NewTextHandler(discard{}, nil))}),
		"gone+nolog+observe": edge.Handler(proxy.New(proxy.Config{Upstream: target, Rules: rules, Transport: tr}), edge.Config{Log: quiet}),
	} {
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/live/page", nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatal(w.Code)
				}
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
