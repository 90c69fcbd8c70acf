package proxy

import (
	"errors"
	"net/http"
	"net/http/httputil"
	"strings"
)

// After an upstream's 101 Switching Protocols, httputil.ReverseProxy
// copies bytes both ways until one side closes: gone sees no more requests
// on that connection, so no rule can answer them. That is what a
// WebSocket needs, and nothing else should get it: upgrades are forwarded
// only below the path prefixes of Config.AllowUpgrade.

// errUpgradeRefused makes ReverseProxy answer 502 to an upstream that
// switched protocols where no upgrade was allowed.
var errUpgradeRefused = errors.New("the upstream switched protocols where no upgrade is allowed")

// upgradeAllowed reports whether path (normalized) is below a prefix that
// allows upgrades.
func (p *proxy) upgradeAllowed(path string) bool {
	for _, pfx := range p.cfg.AllowUpgrade {
		if strings.HasPrefix(path, pfx) {
			return true
		}
	}
	return false
}

// dropUpgrade sends a request that asks for an upgrade where none is
// allowed as an ordinary request: the upstream answers it as such, and a
// WebSocket client sees a failed handshake.
func (p *proxy) dropUpgrade(pr *httputil.ProxyRequest) {
	if pr.Out.Header.Get("Upgrade") == "" || p.upgradeAllowed(pr.In.URL.EscapedPath()) {
		return
	}
	pr.Out.Header.Del("Upgrade")
	pr.Out.Header.Del("Connection")
}

// refuseUpgrade is the upstream side of the same check.
func (p *proxy) refuseUpgrade(resp *http.Response) error {
	if resp.StatusCode == http.StatusSwitchingProtocols && !p.upgradeAllowed(p.clientPath(resp.Request)) {
		return errUpgradeRefused
	}
	return nil
}
