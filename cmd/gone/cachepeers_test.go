package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// serversRequired says a missing peer (varnishd, nginx with cache_purge)
// fails the test instead of skipping it: CI sets it, and installs them.
func serversRequired() bool { return os.Getenv("GONE_TEST_SERVERS_REQUIRED") == "1" }

// findBinary returns the path of a peer server's binary, skipping (or, in
// CI, failing) the test when it is missing.
func findBinary(t *testing.T, name, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if p := "/usr/sbin/" + name; fileExists(p) {
		return p
	}
	if serversRequired() {
		t.Fatalf("%s is not installed (apt-get install %s) and GONE_TEST_SERVERS_REQUIRED=1", name, pkg)
	}
	t.Skipf("%s is not installed (apt-get install %s)", name, pkg)
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// waitListening waits until addr accepts connections, or fails with log.
func waitListening(t *testing.T, what, addr string, log func() string) {
	t.Helper()
	for range 200 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s did not start on %s: %s", what, addr, log())
}

// startVarnish runs varnishd in the foreground in front of backend
// (host:port), with the VCL of docs/webhooks.md: PURGE and BAN from
// localhost, and X-Cache saying HIT or MISS.
func startVarnish(t *testing.T, backend string) string {
	t.Helper()
	bin := findBinary(t, "varnishd", "varnish")
	dir := t.TempDir()
	host, port, _ := net.SplitHostPort(backend)
	vcl := fmt.Sprintf(`vcl 4.1;
backend default { .host = "%s"; .port = "%s"; }
acl purgers { "127.0.0.1"; }
sub vcl_recv {
	if (req.method == "PURGE") {
		if (client.ip !~ purgers) { return (synth(405)); }
		return (purge);
	}
	if (req.method == "BAN") {
		if (client.ip !~ purgers) { return (synth(405)); }
		ban("obj.http.x-host == " + req.http.host + " && obj.http.x-url ~ " + req.http.X-Ban-Url);
		return (synth(200, "Banned"));
	}
}
sub vcl_backend_response {
	# Kept on the object so that bans can be tested by the ban lurker.
	set beresp.http.x-host = bereq.http.host;
	set beresp.http.x-url = bereq.url;
	# gone's 200s say no-cache (revalidate every time); with purges the
	# cache may keep them: gone tells it when they change. Authenticated
	# requests never reach here (the builtin vcl_recv passes them).
	if (beresp.status == 200) {
		set beresp.ttl = 1h;
		return (deliver);
	}
}
sub vcl_deliver {
	if (obj.hits > 0) { set resp.http.X-Cache = "HIT"; } else { set resp.http.X-Cache = "MISS"; }
	unset resp.http.x-host;
	unset resp.http.x-url;
}
`, host, port)
	vclPath := filepath.Join(dir, "gone.vcl")
	if err := os.WriteFile(vclPath, []byte(vcl), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	logPath := filepath.Join(dir, "varnish.log")
	logf, _ := os.Create(logPath)
	cmd := exec.Command(bin, "-F", "-j", "none", "-n", filepath.Join(dir, "work"), "-a", addr, "-f", vclPath,
		"-s", "malloc,32m", "-T", "none", "-p", "default_grace=0", "-p", "default_keep=0")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); logf.Close() })
	waitListening(t, "varnishd", addr, func() string { b, _ := os.ReadFile(logPath); return string(b) })
	return addr
}

// cachePurgeModule is where Debian's libnginx-mod-http-cache-purge puts
// the module.
const cachePurgeModule = "/usr/lib/nginx/modules/ngx_http_cache_purge_module.so"

// startNginxPurge runs nginx with a proxy_cache in front of backend, and
// the cache_purge module in a location of its own, /_purge/<path>, open
// to localhost. (Debian's module, 2.3, crashes its worker when purges are
// taken in the cached location itself: "proxy_cache_purge PURGE from".)
func startNginxPurge(t *testing.T, backend string) string {
	t.Helper()
	bin := findBinary(t, "nginx", "nginx")
	if !fileExists(cachePurgeModule) {
		if serversRequired() {
			t.Fatalf("%s is missing (apt-get install libnginx-mod-http-cache-purge) and GONE_TEST_SERVERS_REQUIRED=1", cachePurgeModule)
		}
		t.Skipf("%s is missing (apt-get install libnginx-mod-http-cache-purge)", cachePurgeModule)
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers must reach the temp dir
	}
	conf := fmt.Sprintf(`load_module %[5]s;
%[1]s
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
		location ~ ^/_purge(/.*)$ {
			allow 127.0.0.1;
			deny all;
			proxy_cache_purge gone $scheme$host$1$is_args$args;
		}
		location / {
			proxy_pass http://%[4]s;
			proxy_cache gone;
			proxy_cache_key $scheme$host$request_uri;
			# gone's 200s say no-cache; with purges nginx may keep them,
			# as long as authenticated answers stay out of the cache.
			proxy_ignore_headers Cache-Control Expires;
			proxy_cache_valid 200 1h;
			proxy_cache_valid 404 1m;
			proxy_cache_valid 410 1d;
			proxy_no_cache $http_authorization;
			proxy_cache_bypass $http_authorization;
			add_header X-Cache $upstream_cache_status always;
		}
	}
}
`, user, dir, addr, backend, cachePurgeModule)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", path, "-g", "daemon off;")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	waitListening(t, "nginx", addr, func() string { b, _ := os.ReadFile(filepath.Join(dir, "error.log")); return string(b) })
	return addr
}

// startGone runs the program in-process (gone serve or gone proxy) until
// the test ends, and returns the address it listens on.
func startGone(t *testing.T, vars map[string]string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var runErr error
	finished := make(chan struct{})
	go func() {
		runErr = run(ctx, args, func(k string) string { return vars[k] }, nil, pw, io.Discard)
		pw.Close()
		close(finished)
	}()
	t.Cleanup(func() { cancel(); <-finished })
	addr := listenAddr(pr)
	if addr == "" {
		<-finished
		t.Fatalf("gone %v never said where it listens: %v", args, runErr)
	}
	return addr
}
