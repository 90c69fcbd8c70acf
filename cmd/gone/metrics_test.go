package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// getMetrics reads url (a /metrics) with token ("" for none) and returns
// the status and body.
func getMetrics(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// freeAddr returns a loopback address no one listened on a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Who may read the metrics of the real `gone serve` and `gone proxy`: a
// read token on serve's listener by default, anyone with --metrics-public,
// anyone on --metrics-addr's own listener, and no one on the proxy's
// public listener (its admin prefix included).
func TestMetricsAccessOfServeAndProxy(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serveMetricsAddr, proxyMetricsAddr := freeAddr(t), freeAddr(t)
	plain, _ := serveInProcess(t, ctx)
	public, _ := serveInProcess(t, ctx, "--metrics-public")
	private, _ := serveInProcess(t, ctx, "--metrics-addr", serveMetricsAddr)
	prox := proxyInProcess(t, "--metrics-addr", proxyMetricsAddr)
	cases := []struct {
		name, url, token string
		want             int
	}{
		{"serve, anonymous", "http://" + plain + "/metrics", "", http.StatusUnauthorized},
		{"serve, admin token", "http://" + plain + "/metrics", "ops-token", http.StatusOK},
		{"serve --metrics-public, anonymous", "http://" + public + "/metrics", "", http.StatusOK},
		{"serve --metrics-addr, main listener", "http://" + private + "/metrics", "", http.StatusUnauthorized},
		{"serve --metrics-addr, its listener", "http://" + serveMetricsAddr + "/metrics", "", http.StatusOK},
		{"proxy, admin prefix with the admin token", prox + "/_gone/metrics", cliAdminToken, http.StatusNotFound},
		{"proxy --metrics-addr, its listener", "http://" + proxyMetricsAddr + "/metrics", "", http.StatusOK},
	}
	for _, c := range cases {
		status, body := getMetrics(t, c.url, c.token)
		if status != c.want {
			t.Errorf("%s: GET %s: status %d, want %d", c.name, c.url, status, c.want)
		}
		if status == http.StatusOK && !strings.Contains(body, "gone_http_shed_total") {
			t.Errorf("%s: GET %s: no gone_http_shed_total in\n%s", c.name, c.url, body)
		}
		if status != http.StatusOK && strings.Contains(body, "gone_") {
			t.Errorf("%s: GET %s answered %d with metrics in the body:\n%s", c.name, c.url, status, body)
		}
	}
}
