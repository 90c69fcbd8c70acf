// Package proxy is gone in front of an existing site or API: a reverse
// proxy with a gone list. Paths with a rule are answered by gone (410, 308,
// 503, 404, decided by gone.Decide); everything else goes to the upstream
// unchanged (method, query, headers, body, streamed both ways), with its
// path normalized once and forwarded exactly as it was matched.
package proxy

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/gonehttp"
)

// DefaultAdminPrefix is where the proxy serves gone's own API (the rules
// API among it); requests below it never reach the upstream.
const DefaultAdminPrefix = "/_gone/"

// Config is what New needs.
type Config struct {
	// Upstream is the site or API behind the proxy.
	Upstream *url.URL
	// Rules answers the paths that have a rule.
	Rules *gonehttp.Rules
	// Admin is gone's API, served below AdminPrefix with the prefix
	// stripped; nil serves nothing there (404).
	Admin       http.Handler
	AdminPrefix string
	// Transport reaches the upstream; nil uses one tuned for a single
	// upstream host.
	Transport http.RoundTripper
	Log       *slog.Logger
	// Known, when set, learns the paths the upstream answers 2xx to a GET.
	Known *Known
	// Rewrite404 answers the upstream's 404s with gone's own 404, with
	// "Did you mean …?" drawn from Known. Without it they pass unchanged.
	Rewrite404 bool
	// PreserveHost sends the caller's Host header to the upstream instead
	// of the upstream URL's host (for name-based virtual hosts).
	PreserveHost bool
	// Observe, when set, wraps the handling of every request but the
	// admin API's (which logs and counts its own): the request log and
	// metrics.
	Observe func(http.Handler) http.Handler
	// RemovedSitemap, when set, serves /sitemap-removed.xml: the paths
	// the rules retired lately, for search engines.
	RemovedSitemap http.Handler
}

type proxy struct {
	cfg    Config
	admin  http.Handler
	prefix string // AdminPrefix without its trailing slash
	rp     *httputil.ReverseProxy
	site   http.Handler // the rules, then the upstream
}

// New returns the proxy's handler.
func New(cfg Config) http.Handler {
	if cfg.AdminPrefix == "" {
		cfg.AdminPrefix = DefaultAdminPrefix
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Transport == nil {
		cfg.Transport = NewTransport()
	}
	p := &proxy{cfg: cfg, prefix: strings.TrimSuffix(cfg.AdminPrefix, "/")}
	p.admin = http.NotFoundHandler()
	if cfg.Admin != nil {
		p.admin = http.StripPrefix(p.prefix, cfg.Admin)
	}
	up := cfg.Upstream
	p.rp = &httputil.ReverseProxy{
		// Rewrite, not Director: the incoming X-Forwarded-* are dropped
		// and set again from this hop, and the path forwarded is In's,
		// which Handler normalized.
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(up)
			pr.SetXForwarded()
			if cfg.PreserveHost {
				pr.Out.Host = pr.In.Host
			}
		},
		Transport:      cfg.Transport,
		ErrorHandler:   p.upstreamError,
		ErrorLog:       slog.NewLogLogger(cfg.Log.Handler(), slog.LevelWarn),
		ModifyResponse: p.modifyResponse,
		// Without a pool, every response body is copied through a fresh
		// 32 KiB buffer: garbage that made the collector a sixth of the
		// proxy's CPU under load.
		BufferPool: bufferPool{},
	}
	if cfg.Rewrite404 && cfg.Known == nil {
		p.cfg.Known = NewKnown()
	}
	p.site = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.cfg.Rules.Serve(w, r, p.rp) })
	if cfg.Observe != nil {
		p.site = cfg.Observe(p.site)
	}
	return http.HandlerFunc(p.serve)
}

// bufferPool lends ReverseProxy its copy buffers (httputil.BufferPool).
type bufferPool struct{}

var copyBuffers = sync.Pool{New: func() any { return new([32 << 10]byte) }}

func (bufferPool) Get() []byte  { return copyBuffers.Get().(*[32 << 10]byte)[:] }
func (bufferPool) Put(b []byte) { copyBuffers.Put((*[32 << 10]byte)(b)) }

// NewTransport returns the transport to one upstream: many idle
// connections kept (every request goes to the same host), no timeout on a
// slow body, and a bound on waiting for response headers.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 1024
	t.ResponseHeaderTimeout = 60 * time.Second
	return t
}

func (p *proxy) serve(w http.ResponseWriter, r *http.Request) {
	r, ok := p.cfg.Rules.Normalize(w, r)
	if !ok {
		return
	}
	path := r.URL.EscapedPath()
	if path == p.prefix || strings.HasPrefix(path, p.cfg.AdminPrefix) {
		p.admin.ServeHTTP(&prefixLocation{ResponseWriter: w, prefix: p.prefix}, r)
		return
	}
	if path == "/sitemap-removed.xml" && p.cfg.RemovedSitemap != nil {
		p.cfg.RemovedSitemap.ServeHTTP(w, r)
		return
	}
	p.site.ServeHTTP(w, r)
}

// upstreamError answers when the upstream could not: 504 when it was too
// slow, 502 otherwise; never 404 or 410, which would tell a cache that the
// path is missing when only the upstream is.
func (p *proxy) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errUpstream404) {
		p.cfg.Rules.WriteNotFound(w, r, p.cfg.Known.Suggest(r.URL.EscapedPath()))
		return
	}
	if r.Context().Err() != nil {
		// The caller went away: nobody to answer.
		return
	}
	status := http.StatusBadGateway
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		status = http.StatusGatewayTimeout
	}
	p.cfg.Log.WarnContext(r.Context(), "upstream failed", "path", r.URL.Path, "status", status, "err", err)
	msg := answer.MsgBadGateway
	if status == http.StatusGatewayTimeout {
		msg = answer.MsgGatewayTimeout
	}
	w.Header().Set("Retry-After", "5")
	p.cfg.Rules.WriteProblem(w, r, status, msg)
}

// errUpstream404 makes ReverseProxy hand an upstream 404 to upstreamError,
// which answers it with gone's own 404.
var errUpstream404 = errors.New("the upstream answered 404")

// modifyResponse learns the paths the upstream serves and, with
// Rewrite404, takes over its 404s.
func (p *proxy) modifyResponse(resp *http.Response) error {
	if p.cfg.Known == nil {
		return nil
	}
	req := resp.Request
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return nil
	}
	path := strings.TrimPrefix(req.URL.EscapedPath(), strings.TrimSuffix(p.cfg.Upstream.EscapedPath(), "/"))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		p.cfg.Known.Add(path)
	case resp.StatusCode == http.StatusNotFound && p.cfg.Rewrite404:
		return errUpstream404
	}
	return nil
}
