package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/inbox"
	"github.com/gonehttp/gone/proxy"
	sitemaps "github.com/gonehttp/gone/sitemap"
)

const proxyUsage = `proxy --upstream URL [--addr HOST:PORT] [--db PATH|postgres://…] [--rules FILE]…
      [--body-idle-timeout 30s] [--upstream-max-conns N] [--trusted-proxy CIDR]…
      [--public-host NAME]… [--allow-upgrade PREFIX]…

Answers the paths that have a rule (410 Gone, 308/301 moved, 503
unavailable, 404 removed) and passes everything else to the upstream,
with its path normalized. gone's API (rules included) is served below
--admin-prefix and never reaches the upstream. --rules imports a gone list
at start (any format rules import reads, by the file's name or content;
all of it or nothing).`

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runProxy(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "proxy", proxyUsage)
	addr := envString(fs, e, "addr", "GONE_ADDR", "127.0.0.1:8080", "listen address")
	upstream := envString(fs, e, "upstream", "GONE_UPSTREAM", "", "the site or API behind the proxy, e.g. http://127.0.0.1:3000")
	prefix := envString(fs, e, "admin-prefix", "GONE_ADMIN_PREFIX", proxy.DefaultAdminPrefix, "path prefix of gone's own API")
	var ruleFiles stringList
	fs.Var(&ruleFiles, "rules", "a gone list to import at start (repeatable), in any format rules import reads")
	poll := fs.Duration("rules-poll", 100*time.Millisecond, "how often to look for rule changes made by other instances")
	reload := fs.Duration("rules-reload", time.Minute, "how often to read every rule again (a backstop); 0 disables")
	rewrite404 := fs.Bool("rewrite-404", false, "answer the upstream's 404s with gone's 404 and a \"Did you mean\" from the paths seen 2xx and --sitemap")
	sitemap := fs.String("sitemap", "", "a sitemap.xml whose paths --rewrite-404 may suggest")
	preserveHost := fs.Bool("preserve-host", false, "send the caller's Host header to the upstream, not the upstream URL's")
	timeout := fs.Duration("upstream-timeout", 60*time.Second, "how long to wait for the upstream's response headers (then 504)")
	maxUpstream := fs.Int("upstream-max-conns", 0, "at most this many requests at the upstream at once, the others answered 503; 0: no cap")
	var trusted, publicHosts, upgrades stringList
	fs.Var(&trusted, "trusted-proxy", "a front (load balancer, CDN) by address or CIDR whose X-Forwarded-*, Forwarded and X-Real-IP are passed on (repeatable; env GONE_TRUSTED_PROXIES, comma-separated)")
	fs.Var(&publicHosts, "public-host", "a name the site is reached by, sent as X-Forwarded-Host (repeatable; the first is used for any other Host; env GONE_PUBLIC_HOSTS)")
	fs.Var(&upgrades, "allow-upgrade", "a path prefix below which protocol upgrades (WebSocket) are forwarded (repeatable)")
	bf, err := addBackendFlags(fs, e)
	if err != nil {
		return err
	}
	inf, err := addInboxFlags(fs, e)
	if err != nil {
		return err
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("proxy takes no arguments, got %q", fs.Args())
	}
	up, err := url.Parse(*upstream)
	if *upstream == "" || err != nil || (up.Scheme != "http" && up.Scheme != "https") || up.Host == "" {
		return usageError("--upstream must be an http(s) URL such as http://127.0.0.1:3000")
	}
	if !strings.HasPrefix(*prefix, "/") || !strings.HasSuffix(*prefix, "/") || len(*prefix) < 3 {
		return usageError("--admin-prefix must start and end with /, e.g. /_gone/")
	}
	if *poll <= 0 {
		return usageError("--rules-poll must be positive")
	}
	if *bf.ops.metricsPublic {
		return usageError("the proxy never serves /metrics on its public listener; use --metrics-addr")
	}
	if *maxUpstream < 0 {
		return usageError("--upstream-max-conns must be 0 (no cap) or more")
	}
	if len(trusted) == 0 {
		trusted = splitList(envOr(e, "GONE_TRUSTED_PROXIES", ""))
	}
	fronts, err := parsePrefixes(trusted)
	if err != nil {
		return usageError("--trusted-proxy: %v", err)
	}
	if len(publicHosts) == 0 {
		publicHosts = splitList(envOr(e, "GONE_PUBLIC_HOSTS", ""))
	}
	for _, u := range upgrades {
		if !strings.HasPrefix(u, "/") {
			return usageError("--allow-upgrade takes a path prefix such as /ws/, got %q", u)
		}
	}
	tlsCfg, err := bf.tls.config()
	if err != nil {
		return err
	}

	ln, err := listen(*addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	b, err := openBackend(ctx, e, bf)
	if err != nil {
		return err
	}
	defer b.close()
	for _, f := range ruleFiles {
		if err := importAtStart(ctx, e, b.svc, f); err != nil {
			return err
		}
	}
	rules, stopRules, err := b.rules(ctx, *poll, *reload, *bf.ops.maxRetryAfter, gonehttp.WithProblemBase(*prefix+"problems/"))
	if err != nil {
		return err
	}
	defer stopRules()
	b.log.Info("rules loaded", "rules", rules.Len(), "upstream", up.Redacted())

	known := proxy.NewKnown()
	if *sitemap != "" {
		f, err := os.Open(*sitemap)
		if err != nil {
			return fmt.Errorf("--sitemap: %w", err)
		}
		n, err := known.ReadSitemap(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("--sitemap %s: %w", *sitemap, err)
		}
		b.log.Info("sitemap read", "paths", n)
	}
	stopMetrics, err := serveMetrics(ctx, e, b.log, *bf.ops.metricsAddr, b.reg)
	if err != nil {
		return err
	}
	defer stopMetrics()
	// The inbox stops (and flushes) before the store closes.
	rec, is, stopInbox, err := inf.start(ctx, b)
	if err != nil {
		return err
	}
	defer stopInbox()
	stop := make(chan struct{})
	tr := proxy.NewTransport()
	tr.ResponseHeaderTimeout = *timeout
	opts := bf.apiOptions(b, stop)
	var misses gone.MissRecorder
	if rec != nil {
		misses = rec
		opts = append(opts, httpapi.WithInbox(inbox.New(b.svc, is, rec, known.Suggest)))
	}
	h := proxy.New(proxy.Config{
		Upstream: up, Rules: rules, AdminPrefix: *prefix, Transport: tr, Log: b.log,
		Known: known, Rewrite404: *rewrite404, PreserveHost: *preserveHost,
		MaxUpstream: *maxUpstream, TrustedProxies: fronts,
		PublicHosts: publicHosts, AllowUpgrade: upgrades,
		// The admin prefix is on the public listener: its /metrics is no
		// route (--metrics-addr serves the registry instead).
		// WithFront: the console's home is then the rules.
		Admin: httpapi.NewServer(b.log, b.svc, b.tokens, append(opts, httpapi.WithMetricsAccess(httpapi.MetricsHidden), httpapi.WithFront(httpapi.FrontProxy),
			httpapi.WithProblemBase(*prefix+"problems/"))...),
		Misses: misses,
		RemovedSitemap: sitemaps.RemovedHandler(b.svc.Scan, b.svc.Now, b.sitemaps.RemovedWindow, b.sitemaps.BaseURL,
			func(w http.ResponseWriter, r *http.Request, status int) {
				key := answer.MsgUndecidable
				if status == http.StatusServiceUnavailable {
					w.Header().Set("Retry-After", strconv.Itoa(int(gone.UndecidableRetry/time.Second)))
				} else {
					key = answer.MsgReadOnly
				}
				rules.WriteProblem(w, r, status, key)
			}),
	})
	// No write timeout: the upstream may stream for as long as it likes.
	// Shedding holds the admin API's requests only: the site's traffic
	// is the upstream's to pace (--upstream-max-conns bounds it), and the
	// rules' answers are prebuilt.
	ec := bf.edgeConfig(b, *prefix, proxyUnshed(*prefix))
	return serveOn(ctx, e, b.log, ln, tlsCfg, h, 0, *prefix, ec, stop)
}

// proxyUnshed names what the proxy's shedding lets through: all but its
// admin API below prefix, and the API's own NeverShed. The path is judged
// normalized, as the proxy routes it: /x/../_gone/api is the API too.
func proxyUnshed(prefix string) func(*http.Request) bool {
	adminPath := strings.TrimSuffix(prefix, "/")
	return func(r *http.Request) bool {
		norm, err := gone.NormalizePath(r.URL.EscapedPath())
		if err != nil {
			// Answered 400 before it reaches anything.
			return true
		}
		rest, ok := strings.CutPrefix(norm, adminPath)
		if !ok || rest != "" && rest[0] != '/' {
			return true
		}
		return httpapi.NeverShed(r, gone.UnescapePath(rest))
	}
}

// importAtStart applies a gone list as the admin, all of it or nothing,
// with an import's defaults: a reason of no catalog is kept as free text
// (and said), so a list from elsewhere does not stop the proxy.
func importAtStart(ctx context.Context, e env, svc *gone.Service, name string) error {
	res, format, err := readRuleFile(e, name, "")
	if err != nil {
		return fmt.Errorf("--rules: %w", err)
	}
	if res.RefusedLines() > 0 {
		return fmt.Errorf("--rules %s: %d lines refused; nothing imported", name, res.RefusedLines())
	}
	sum, err := svc.ImportRules(ctx, gone.Caller{Name: gone.BootstrapAdmin, Scopes: []gone.Scope{gone.ScopeAdmin}}, res.Rules, gone.ImportOptions{})
	if err != nil {
		return fmt.Errorf("--rules %s: %s; nothing imported", name, gone.ErrorMessage(err))
	}
	fmt.Fprintf(e.stdout, "rules %s: %d created, %d changed, %d unchanged\n", name, sum.Created, sum.Changed, sum.Unchanged)
	printImportNotes(e.stdout, format, sum)
	return nil
}

var _ flag.Value = (*stringList)(nil)

// splitList reads a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// parsePrefixes reads addresses (one host each) and CIDR prefixes.
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range list {
		if p, err := netip.ParsePrefix(v); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix", v)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
