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
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/edge"
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
	// MaxUpstream caps the requests at the upstream at once (each holds
	// a connection to it); past it, 503 with Retry-After. 0: no cap.
	MaxUpstream int
	// TrustedProxies are the addresses of fronts (load balancers, CDNs)
	// whose X-Forwarded-*, Forwarded and client-address headers are passed
	// on; from any other peer they are dropped or set from this hop.
	TrustedProxies []netip.Prefix
	// PublicHosts are the names the site is reached by: X-Forwarded-Host
	// (and Host, with PreserveHost) is the caller's Host when it is one of
	// them and the first of them otherwise. Without any, X-Forwarded-Host
	// is not sent and PreserveHost sends the caller's Host as it came.
	PublicHosts []string
	// AllowUpgrade are the path prefixes below which a protocol upgrade
	// (WebSocket) is forwarded; elsewhere the request goes as an ordinary
	// one, and an upstream's 101 is refused (502).
	AllowUpgrade []string
	// RemovedSitemap, when set, serves /sitemap-removed.xml: the paths
	// the rules retired lately, for search engines.
	RemovedSitemap http.Handler
	// Misses, when set, hears of every path the upstream answers 404 to
	// a GET or HEAD: the 404 inbox (inbox.Recorder). It must not block.
	Misses gone.MissRecorder
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
			p.setForwarded(pr)
			// The id of gone's log line, not the caller's raw header
			// (which may be several, or one the edge did not take):
			// the upstream's log then names the request as gone's does.
			if id := edge.InfoOf(pr.In.Context()).ID; id != "" {
				pr.Out.Header["X-Request-Id"] = []string{id}
			}
			p.dropUpgrade(pr)
			if cfg.PreserveHost {
				pr.Out.Host = pr.In.Host
				if h := p.publicHost(pr.In.Host); h != "" {
					pr.Out.Host = h
				}
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
	var upstream http.Handler = p.rp
	if cfg.MaxUpstream > 0 {
		upstream = p.limitUpstream(cfg.MaxUpstream, upstream)
	}
	p.site = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The edge's log line and counts name the site's traffic "proxy"
		// (the admin API's requests, by their route patterns).
		edge.InfoOf(r.Context()).Route = "proxy"
		p.cfg.Rules.Serve(w, r, upstream)
	})
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
		p.cfg.Rules.WriteNotFound(w, r, p.cfg.Known.SuggestContext(r.Context(), r.URL.EscapedPath()))
		return
	}
	if errors.Is(err, edge.ErrBodyStalled) || edge.BodyStalled(r) {
		// Before the check of the context, which the server cancelled
		// when the read deadline passed; the connection is not reused,
		// but the answer can still be written.
		p.cfg.Log.InfoContext(r.Context(), "request body stalled", "path", r.URL.Path, "err", err)
		closeHTTP1(w, r)
		p.cfg.Rules.WriteProblem(w, r, http.StatusRequestTimeout, answer.MsgBodyStalled)
		return
	}
	if edge.BodyMalformed(r) {
		closeHTTP1(w, r)
		p.cfg.Rules.WriteProblem(w, r, http.StatusBadRequest, answer.MsgBadBody)
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

// closeHTTP1 ends r's connection with its answer when it is HTTP/1, whose
// connection cannot be read past a body left unread; an HTTP/2 stream
// ends alone, and Connection: close would end the client's other streams.
func closeHTTP1(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor == 1 {
		w.Header().Set("Connection", "close")
	}
}

// errUpstream404 makes ReverseProxy hand an upstream 404 to upstreamError,
// which answers it with gone's own 404.
var errUpstream404 = errors.New("the upstream answered 404")

// modifyResponse learns the paths the upstream serves and, with
// Rewrite404, takes over its 404s.
func (p *proxy) modifyResponse(resp *http.Response) error {
	if err := p.refuseUpgrade(resp); err != nil {
		return err
	}
	if resp.StatusCode == http.StatusNotFound {
		p.recordMiss(resp.Request)
	}
	if p.cfg.Known == nil {
		return nil
	}
	req := resp.Request
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return nil
	}
	path := p.clientPath(req)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300 && publicAnswer(req, resp):
		p.cfg.Known.Add(path)
	case resp.StatusCode == http.StatusNotFound && p.cfg.Rewrite404:
		return errUpstream404
	}
	return nil
}

// publicAnswer reports whether resp answered a request anyone could have
// made: only those paths are learned, since "Did you mean" shows them to
// every caller (a path served to a signed-in user, /reset/AbC123, is
// that user's).
func publicAnswer(req *http.Request, resp *http.Response) bool {
	if req.Header.Get("Authorization") != "" || req.Header.Get("Cookie") != "" || resp.Header.Get("Set-Cookie") != "" {
		return false
	}
	cc := strings.ToLower(resp.Header.Get("Cache-Control"))
	return !strings.Contains(cc, "private") && !strings.Contains(cc, "no-store")
}

// clientPath is the path the caller asked for (normalized) of a request
// to the upstream, without the upstream URL's own path.
func (p *proxy) clientPath(out *http.Request) string {
	return strings.TrimPrefix(out.URL.EscapedPath(), strings.TrimSuffix(p.cfg.Upstream.EscapedPath(), "/"))
}
