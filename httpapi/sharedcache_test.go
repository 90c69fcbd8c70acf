package httpapi_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every answer to a request with credentials is private, whatever its
// status, and every answer varies by Authorization.
func TestCacheHeadersByCaller(t *testing.T) {
	e := newEnv(t)
	must(t, e.admin("PUT", "/api/accounts/leak1", `{"owner":"x"}`), 201, "PUT")
	must(t, e.admin("DELETE", "/api/accounts/leak1?permanent=true", ""), 200, "DELETE")
	tests := []struct {
		name, method, path, token string
		status                    int
	}{
		{"admin concealed 410", "GET", "/api/accounts/leak1", adminToken, 410},
		{"admin 404", "GET", "/api/accounts/nope", adminToken, 404},
		{"admin public 410", "GET", "/api/users/123", adminToken, 410},
		{"admin live", "GET", "/api/accounts/7", adminToken, 200},
		{"admin listing", "GET", "/api/accounts", adminToken, 200},
		{"admin unknown route", "GET", "/api/acounts/7", adminToken, 404},
		{"reader 403", "DELETE", "/api/users/1", readerToken, 403},
		{"wrong token 401", "GET", "/api/users/123", "wrong", 401},
		{"admin problem doc", "GET", "/problems/gone", adminToken, 200},
	}
	for _, tt := range tests {
		w := e.do(req{method: tt.method, path: tt.path, token: tt.token})
		if w.Code != tt.status {
			t.Errorf("%s: %s %s: status = %d, want %d", tt.name, tt.method, tt.path, w.Code, tt.status)
		}
		if cc := w.Header().Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
			t.Errorf("%s: %s %s with a token: Cache-Control = %q, want private", tt.name, tt.method, tt.path, cc)
		}
		if !varies(w.Header(), "Authorization") {
			t.Errorf("%s: Vary = %q, want Authorization in it", tt.name, w.Header().Values("Vary"))
		}
	}
	// Public answers keep their shared lifetime, keyed by credentials.
	w := e.get("/api/users/123")
	if cc := w.Header().Get("Cache-Control"); cc != "max-age=86400" {
		t.Errorf("public 410: Cache-Control = %q, want max-age=86400", cc)
	}
	if !varies(w.Header(), "Authorization") || !varies(w.Header(), "Accept-Language") {
		t.Errorf("public 410: Vary = %q, want Accept-Language and Authorization", w.Header().Values("Vary"))
	}
}

func varies(h http.Header, name string) bool {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return true
			}
		}
	}
	return false
}

// A real nginx proxy_cache in front of a real gone server: what an admin
// was answered is never served to anyone else, and a cached public answer
// is never served to a request with other credentials.
func TestSharedCacheNginx(t *testing.T) {
	e := newEnv(t)
	must(t, e.admin("PUT", "/api/accounts/leak1", `{"owner":"x"}`), 201, "PUT")
	must(t, e.admin("DELETE", "/api/accounts/leak1?permanent=true", ""), 200, "DELETE")
	upstream := httptest.NewServer(e.h)
	defer upstream.Close()
	front := startNginx(t, upstream.Listener.Addr().String())

	get := func(path, token string) (int, http.Header, string) {
		t.Helper()
		r, _ := http.NewRequest("GET", front+path, nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}

	// The admin's answers first, then the public's, through the cache.
	for _, tt := range []struct {
		path        string
		adminStatus int
	}{
		{"/api/accounts/leak1", 410}, // concealed: the public must not learn it existed
		{"/api/accounts/nope", 404},
		{"/api/accounts", 200},
	} {
		for i := 0; i < 2; i++ {
			if got, _, _ := get(tt.path, adminToken); got != tt.adminStatus {
				t.Fatalf("admin GET %s via nginx: status = %d, want %d", tt.path, got, tt.adminStatus)
			}
		}
		got, h, body := get(tt.path, "")
		if got != http.StatusUnauthorized || strings.Contains(body, "deletedAt") {
			t.Errorf("anonymous GET %s via nginx after the admin's: status = %d (cache %s), want 401; body %s",
				tt.path, got, h.Get("X-Cache-Status"), body)
		}
	}

	// A public answer is cached and reused for the public…
	get("/api/users/123", "")
	if got, h, _ := get("/api/users/123", ""); got != 410 || h.Get("X-Cache-Status") != "HIT" {
		t.Fatalf("second anonymous GET /api/users/123: status %d, cache %q; want 410 from the cache (is proxy_cache on?)", got, h.Get("X-Cache-Status"))
	}
	// …but never for a request with other credentials.
	if got, h, _ := get("/api/users/123", "wrong"); got != http.StatusUnauthorized {
		t.Errorf("GET /api/users/123 with a wrong token via nginx: status = %d (cache %s), want 401", got, h.Get("X-Cache-Status"))
	}
	if got, h, _ := get("/api/users/123", adminToken); h.Get("X-Cache-Status") == "HIT" {
		t.Errorf("admin GET /api/users/123 via nginx: status %d served from the public's cache entry", got)
	}
}

// startNginx runs nginx as a child process with a proxy_cache in front of
// upstream (host:port) and returns its base URL. It skips when nginx is not
// installed (.ci/run installs it, so CI never skips).
func startNginx(t *testing.T, upstream string) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if _, err = os.Stat("/usr/sbin/nginx"); err != nil {
			t.Skip("nginx is not installed (apt-get install nginx); skipping the shared-cache test")
		}
		bin = "/usr/sbin/nginx"
	}
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	user := ""
	if os.Geteuid() == 0 {
		// Workers would run as nobody and could not reach the temp dir.
		user = "user root;"
	}
	conf := fmt.Sprintf(`%s
worker_processes 1;
error_log %[2]s/error.log;
pid %[2]s/nginx.pid;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path %[2]s/body;
	proxy_temp_path %[2]s/proxy;
	fastcgi_temp_path %[2]s/fastcgi;
	uwsgi_temp_path %[2]s/uwsgi;
	scgi_temp_path %[2]s/scgi;
	proxy_cache_path %[2]s/cache levels=1:2 keys_zone=gone:1m;
	server {
		listen %[3]s;
		location / {
			proxy_pass http://%[4]s;
			proxy_cache gone;
			add_header X-Cache-Status $upstream_cache_status always;
		}
	}
}
`, user, dir, addr, upstream)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", path, "-g", "daemon off;")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
	t.Fatalf("nginx did not start on %s: %s", addr, log)
	return ""
}
