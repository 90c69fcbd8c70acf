package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestProxyCORSFromEnv: `gone proxy` reads GONE_CORS_ORIGINS as serve
// does, and applies it to a rule's 410 and its preflight; the console is
// served below the admin prefix.
func TestProxyCORSFromEnv(t *testing.T) {
	nginx, _ := filepath.Abs("../../rulefile/testdata/gone.nginx.conf")
	url := proxyWithEnv(t, map[string]string{"GONE_CORS_ORIGINS": "https://app.example.com"}, "--rules", nginx)
	do := func(method, path string, hdr ...string) *http.Response {
		req, _ := http.NewRequest(method, url+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := do("GET", "/blog/2019/hello", "Origin", "https://app.example.com")
	if resp.StatusCode != http.StatusGone || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Link") ||
		!strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Origin") {
		t.Errorf("GET a retired path from the page: %d %v", resp.StatusCode, resp.Header)
	}
	resp = do("OPTIONS", "/blog/2019/hello", "Origin", "https://app.example.com", "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "Authorization")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("preflight from the page: %d %v", resp.StatusCode, resp.Header)
	}
	resp = do("OPTIONS", "/blog/2019/hello", "Origin", "https://evil.example", "Access-Control-Request-Method", "GET")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("preflight from another origin: %d, want 403", resp.StatusCode)
	}
	resp = do("GET", "/_gone/admin/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("GET /_gone/admin/: %d %v", resp.StatusCode, resp.Header)
	}
}
