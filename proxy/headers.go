package proxy

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"strings"
)

// clientClaims are request headers that upstreams and their frameworks
// read as facts about the client or the request's original URL, which a
// client can write as it likes. Unless the request comes from a trusted
// front (Config.TrustedProxies), they are dropped before the request goes
// upstream. (Forwarded and X-Forwarded-For, -Host and -Proto are dropped
// by httputil.ReverseProxy itself, and set again from this hop.)
var clientClaims = []string{
	"X-Real-Ip",
	"True-Client-Ip",
	"Cf-Connecting-Ip",
	"Fastly-Client-Ip",
	"X-Client-Ip",
	"X-Cluster-Client-Ip",
	"Client-Ip",
	"X-Original-Forwarded-For",
	"X-Forwarded",
	"Forwarded-For",
	"X-Forwarded-Server",
	"X-Forwarded-Port",
	"X-Forwarded-Prefix",
	"X-Forwarded-Scheme",
	"X-Forwarded-Ssl",
	"X-Url-Scheme",
	"Front-End-Https",
	"X-Host",
	// Read by IIS, Symfony and Zend as the request's path, ahead of the
	// request line: a way around every rule.
	"X-Original-Url",
	"X-Rewrite-Url",
}

// trusted reports whether the request came straight from one of the
// fronts the operator trusts (a load balancer or CDN in front of gone).
func (p *proxy) trusted(r *http.Request) bool {
	if len(p.cfg.TrustedProxies) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, pfx := range p.cfg.TrustedProxies {
		if pfx.Contains(ip) {
			return true
		}
	}
	return false
}

// setForwarded writes what the upstream may trust about the client: from
// an untrusted peer, X-Forwarded-For is its address alone, -Proto is this
// hop's, -Host is a name of PublicHosts (or absent), and the client's own
// claims are gone; from a trusted front, what the front said is kept and
// this hop is added to it.
func (p *proxy) setForwarded(pr *httputil.ProxyRequest) {
	in := pr.In.Header
	if p.trusted(pr.In) {
		// ReverseProxy dropped the front's X-Forwarded-*: put them back,
		// and SetXForwarded appends this hop's peer to the For chain.
		pr.Out.Header["X-Forwarded-For"] = in["X-Forwarded-For"]
		pr.SetXForwarded()
		for _, h := range []string{"X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded"} {
			if v, ok := in[h]; ok {
				pr.Out.Header[h] = v
			}
		}
		return
	}
	for _, h := range clientClaims {
		pr.Out.Header.Del(h)
	}
	for name := range pr.Out.Header {
		// CGI, WSGI and PHP-FPM read X_Real_IP as HTTP_X_REAL_IP, the
		// same variable as X-Real-IP: an underscore spelling would carry
		// every claim above past this list. Dropped, as nginx does by
		// default (underscores_in_headers off).
		if strings.IndexByte(name, '_') >= 0 {
			delete(pr.Out.Header, name)
		}
	}
	pr.SetXForwarded()
	if host := p.publicHost(pr.In.Host); host != "" {
		pr.Out.Header.Set("X-Forwarded-Host", host)
	} else {
		pr.Out.Header.Del("X-Forwarded-Host")
	}
}

// publicHost is the name to tell the upstream the client asked for: the
// request's Host when it is one of PublicHosts, else the first of them;
// "" when none is configured, since then the Host is only the client's
// word, and an upstream that builds links from it (a password reset
// mail) would send them wherever the client says.
func (p *proxy) publicHost(host string) string {
	if len(p.cfg.PublicHosts) == 0 {
		return ""
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	for _, pub := range p.cfg.PublicHosts {
		if strings.EqualFold(pub, name) || strings.EqualFold(pub, host) {
			return host
		}
	}
	return p.cfg.PublicHosts[0]
}
