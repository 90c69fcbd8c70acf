package rulefile_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/rulefile"
	"github.com/gonehttp/gone/sqlite"
)

// The round trip: a gone list goes into gone, is exported for a real
// server, and the server started with the export answers every path as
// gone itself does (status and Location), and passes the paths no rule
// answers to its default answer, as gone passes them to its upstream.

// roundTripList has exact and prefix 410s, an exact move under a retired
// prefix, 301 and 308 moves (to a path and to another site), a prefix
// move, and a 410 scheduled for later (gone passes it until then; the
// exports leave it out).
var roundTripList = []string{
	"/old-page.html gone",
	"/about-us-2015 gone",
	"/blog/2019/* gone",
	"/blog/2019/keep moved /blog/kept 308",
	"/products/old-name moved /products/new-name 301",
	"/docs/v1/* moved /docs/ 308",
	"/legacy moved https://new.example.com/ 308",
	"/shop/* moved https://shop.example.com/ 301",
	"/drafts/x removed",
	"/promo gone-later",
}

// roundTripPaths are requested of gone and of each server: every rule's
// path, paths below every prefix, and paths that must pass.
var roundTripPaths = []string{
	"/old-page.html", "/about-us-2015", "/blog/2019/", "/blog/2019/post", "/blog/2019/a/b.html",
	"/blog/2019/keep", "/products/old-name", "/docs/v1/", "/docs/v1/intro", "/legacy",
	"/shop/", "/shop/cart", "/drafts/x", "/products/old-name?utm=1", "/docs/v1/intro?page=2",
	// These pass: near misses and a 410 not due yet.
	"/old-page.htm", "/blog/2019", "/blog/2020/post", "/products/new-name", "/docs/v2/intro",
	"/about-us-2016", "/legacy/x", "/drafts/xy", "/promo",
}

func roundTripSpecs(t *testing.T, now time.Time) []gone.RuleSpec {
	t.Helper()
	var specs []gone.RuleSpec
	for _, l := range roundTripList {
		f := strings.Fields(l)
		k, err := gone.ParseRuleKey(f[0])
		if err != nil {
			t.Fatal(err)
		}
		s := gone.RuleSpec{RuleKey: k, Action: gone.RuleAction(f[1])}
		switch f[1] {
		case "moved":
			s.To = f[2]
			if f[3] == "301" {
				s.Status = 301
			}
		case "gone-later":
			s.Action, s.At = gone.RuleGone, now.Add(72*time.Hour)
		}
		specs = append(specs, s)
	}
	return specs
}

// answer is what a request got: a status and, for a redirect, where to.
type answer struct {
	status   int
	location string
}

func (a answer) String() string {
	if a.location != "" {
		return fmt.Sprintf("%d → %s", a.status, a.location)
	}
	return fmt.Sprint(a.status)
}

// location reads a Location the way a browser follows it: a URL on the
// server itself is its path, another site's URL stays whole.
func location(base *url.URL, loc string) string {
	if loc == "" {
		return ""
	}
	u, err := base.Parse(loc)
	if err != nil {
		return "bad Location " + loc
	}
	if u.Host == base.Host {
		return u.RequestURI()
	}
	return u.String()
}

// goneAnswers puts the list into a real gone (SQLite, the domain, the
// gonehttp middleware in front of a 200 upstream) and asks it every path.
func goneAnswers(t *testing.T) (map[string]answer, []gone.RuleSpec) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := gone.NewService(store, demo.Config())
	now := time.Now().UTC().Truncate(time.Second)
	admin := gone.Caller{Name: "test", Scopes: []gone.Scope{gone.ScopeAdmin}}
	if _, err := svc.SetRules(ctx, admin, roundTripSpecs(t, now), nil); err != nil {
		t.Fatal(err)
	}
	rules, err := gonehttp.Load(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "upstream") })
	h := gonehttp.Handler(upstream, rules)
	base, _ := url.Parse("http://gone.test")
	got := map[string]answer{}
	for _, p := range roundTripPaths {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", base.String()+p, nil))
		got[p] = answer{rec.Code, location(base, rec.Header().Get("Location"))}
	}
	specs, _, err := svc.RuleSpecs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return got, specs
}

// need finds a server's binary; without it the test skips, or fails
// where GONE_TEST_SERVERS_REQUIRED=1 (CI, which installs them).
func need(t *testing.T, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
		if p := "/usr/sbin/" + n; fileExists(p) {
			return p
		}
	}
	if os.Getenv("GONE_TEST_SERVERS_REQUIRED") == "1" {
		t.Fatalf("%s is not installed; .ci/run installs it", names[0])
	}
	t.Skipf("%s is not installed: the round trip through it is not tested", names[0])
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// serve starts a server in the foreground, in its own process group, and
// waits until its port answers; the test's cleanup kills the group (a
// server's workers too).
func serve(t *testing.T, port int, logFile string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			printed, _ := os.ReadFile(out.Name())
			logs, _ := os.ReadFile(logFile)
			t.Fatalf("%s exited: %v\n%s\n%s", name, err, printed, logs)
		default:
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 100*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	printed, _ := os.ReadFile(out.Name())
	t.Fatalf("%s did not listen on %d within 10s:\n%s", name, port, printed)
}

// compare asks the server every path and compares with gone's answers.
func compare(t *testing.T, port int, want map[string]answer, export string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 5 * time.Second}
	base, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", port))
	for _, p := range roundTripPaths {
		resp, err := client.Get(base.String() + p)
		if err != nil {
			t.Errorf("GET %s: %v", p, err)
			continue
		}
		resp.Body.Close()
		got := answer{resp.StatusCode, location(base, resp.Header.Get("Location"))}
		if got != want[p] {
			t.Errorf("GET %s: the server answers %s, gone answers %s", p, got, want[p])
		}
	}
	if t.Failed() {
		t.Logf("the export:\n%s", export)
	}
}

func export(t *testing.T, dir, format, name string, specs []gone.RuleSpec) string {
	t.Helper()
	var b bytes.Buffer
	e, err := rulefile.Write(format, &b, specs, time.Now(), rulefile.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e.LeftOut() != 1 || e.Left[0].Key != "/promo" {
		t.Errorf("%s export left out %+v, want only /promo (a 410 not due yet)", format, e.Left)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// scratch is a directory every user can read: a server's workers may
// drop root.
func scratch(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "gone-roundtrip-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func TestRoundTripNginx(t *testing.T) {
	t.Parallel()
	bin := need(t, "nginx")
	want, specs := goneAnswers(t)
	for _, format := range []string{rulefile.FormatNginx, rulefile.FormatNginxMap} {
		t.Run(format, func(t *testing.T) {
			dir := scratch(t)
			file := export(t, dir, format, "gone.conf", specs)
			port := freePort(t)
			httpPart, serverPart := "", "include "+file+";"
			if format == rulefile.FormatNginxMap {
				httpPart, serverPart = "include "+file+";", rulefile.NginxMapServer
			}
			conf := fmt.Sprintf(`pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events {}
http {
  access_log off;
  client_body_temp_path %[1]s; proxy_temp_path %[1]s; fastcgi_temp_path %[1]s; uwsgi_temp_path %[1]s; scgi_temp_path %[1]s;
  %[2]s
  server {
    listen 127.0.0.1:%[3]d;
    %[4]s
    location / { return 200 "upstream\n"; }
  }
}
`, dir, httpPart, port, serverPart)
			os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644)
			serve(t, port, filepath.Join(dir, "error.log"), bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off;")
			raw, _ := os.ReadFile(file)
			compare(t, port, want, string(raw))
		})
	}
}

func TestRoundTripApache(t *testing.T) {
	t.Parallel()
	bin := need(t, "apache2", "httpd")
	want, specs := goneAnswers(t)
	for _, format := range []string{rulefile.FormatApache, rulefile.FormatApacheMap} {
		t.Run(format, func(t *testing.T) {
			dir := scratch(t)
			file := export(t, dir, format, "gone.conf", specs)
			include := file
			if format == rulefile.FormatApacheMap {
				// The export is the map; its header's config goes in
				// the server config.
				include = filepath.Join(dir, "gone-rewrite.conf")
				os.WriteFile(include, []byte(rulefile.ApacheMapConfig(file, specs, time.Now())), 0o644)
			}
			// The paths that pass are files, so Apache answers them 200.
			www := filepath.Join(dir, "www")
			for p, a := range want {
				if a.status == 200 {
					f := filepath.Join(www, filepath.FromSlash(p))
					os.MkdirAll(filepath.Dir(f), 0o755)
					os.WriteFile(f, []byte("upstream\n"), 0o644)
				}
			}
			port := freePort(t)
			mods := "/usr/lib/apache2/modules"
			conf := fmt.Sprintf(`ServerRoot %[1]s
ServerName localhost
Listen 127.0.0.1:%[2]d
PidFile %[1]s/httpd.pid
ErrorLog %[1]s/error.log
DefaultRuntimeDir %[1]s
LoadModule mpm_event_module %[3]s/mod_mpm_event.so
LoadModule authz_core_module %[3]s/mod_authz_core.so
LoadModule rewrite_module %[3]s/mod_rewrite.so
DocumentRoot %[4]s
<Directory %[4]s>
  Require all granted
</Directory>
Include %[5]s
`, dir, port, mods, www, include)
			os.WriteFile(filepath.Join(dir, "httpd.conf"), []byte(conf), 0o644)
			serve(t, port, filepath.Join(dir, "error.log"), bin, "-f", filepath.Join(dir, "httpd.conf"), "-DFOREGROUND")
			raw, _ := os.ReadFile(include)
			compare(t, port, want, string(raw))
		})
	}
}

func TestRoundTripCaddy(t *testing.T) {
	t.Parallel()
	bin := need(t, "caddy")
	want, specs := goneAnswers(t)
	dir := scratch(t)
	file := export(t, dir, rulefile.FormatCaddy, "gone.caddy", specs)
	port := freePort(t)
	conf := fmt.Sprintf(`{
	admin off
	auto_https off
	storage file_system %[1]s
}
http://127.0.0.1:%[2]d {
	import %[3]s
	respond "upstream" 200
}
`, dir, port, file)
	os.WriteFile(filepath.Join(dir, "Caddyfile"), []byte(conf), 0o644)
	serve(t, port, "", bin, "run", "--adapter", "caddyfile", "--config", filepath.Join(dir, "Caddyfile"))
	raw, _ := os.ReadFile(file)
	compare(t, port, want, string(raw))
}

func TestRoundTripHAProxy(t *testing.T) {
	t.Parallel()
	bin := need(t, "haproxy")
	want, specs := goneAnswers(t)
	dir := scratch(t)
	file := export(t, dir, rulefile.FormatHAProxy, "gone.haproxy.cfg", specs)
	rules, _ := os.ReadFile(file)
	port := freePort(t)
	conf := fmt.Sprintf(`global
	pidfile %[1]s/haproxy.pid
defaults
	mode http
	timeout client 5s
	timeout server 5s
	timeout connect 5s
frontend web
	bind 127.0.0.1:%[2]d
%[3]s
	http-request return status 200 content-type text/plain string "upstream"
`, dir, port, rules)
	os.WriteFile(filepath.Join(dir, "haproxy.cfg"), []byte(conf), 0o644)
	serve(t, port, "", bin, "-db", "-f", filepath.Join(dir, "haproxy.cfg"))
	compare(t, port, want, string(rules))
}
