package proxy_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The real servers that stand behind the proxy in the tests that check what
// each upstream family serves for a spelling: Tomcat (the Servlet rules:
// ";" path parameters, "..;"), nginx and Apache httpd. Each runs as a
// child process with its own config in a temp dir, never as the system
// service. Without the binary a test skips, unless
// GONE_TEST_SERVERS_REQUIRED=1 (set by .ci/run, which installs them): then
// it fails, so CI never passes with an upstream untested.

// findServer returns the path of a server's binary, or skips (fails when
// GONE_TEST_SERVERS_REQUIRED=1).
func findServer(t *testing.T, pkg string, paths ...string) string {
	t.Helper()
	for _, p := range paths {
		if bin, err := exec.LookPath(p); err == nil {
			return bin
		}
	}
	msg := fmt.Sprintf("%s is not installed (apt-get install %s)", paths[0], pkg)
	if os.Getenv("GONE_TEST_SERVERS_REQUIRED") == "1" {
		t.Fatalf("%s, and GONE_TEST_SERVERS_REQUIRED=1", msg)
	}
	t.Skip(msg + "; skipping")
	return ""
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// site writes the files every upstream serves (path → content) below a
// world-readable directory: servers started as root drop to nobody.
func site(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, body := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readableDir is a temp dir that a server running as nobody can read.
func readableDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "gone-upstream-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startProcess starts cmd (its output to log), stops it when the test
// ends, and waits until url answers, for at most wait.
func startProcess(t *testing.T, name string, cmd *exec.Cmd, logPath, url string, wait time.Duration) {
	t.Helper()
	out, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		out.Close()
	})
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("%s exited at start: %s", name, log)
		default:
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(logPath)
	t.Fatalf("%s did not answer %s within %s: %s", name, url, wait, log)
}

// startTomcat runs Tomcat 10 (Debian's tomcat10: CATALINA_HOME
// /usr/share/tomcat10) with its own CATALINA_BASE in a temp dir, one HTTP
// connector on a free port and no shutdown port, and files as the ROOT
// webapp. It returns the base URL. Startup takes seconds: share one.
func startTomcat(t *testing.T, files map[string]string) string {
	t.Helper()
	const home = "/usr/share/tomcat10"
	java := findServer(t, "tomcat10", "java")
	if _, err := os.Stat(filepath.Join(home, "bin", "bootstrap.jar")); err != nil {
		if os.Getenv("GONE_TEST_SERVERS_REQUIRED") == "1" {
			t.Fatalf("Tomcat 10 is not installed in %s (apt-get install tomcat10), and GONE_TEST_SERVERS_REQUIRED=1", home)
		}
		t.Skipf("Tomcat 10 is not installed in %s (apt-get install tomcat10); skipping", home)
	}
	base := t.TempDir()
	for _, d := range []string{"conf", "logs", "temp", "work", "webapps/ROOT"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The default servlet's config and the class loaders' paths, as the
	// package ships them.
	for _, f := range []string{"web.xml", "catalina.properties"} {
		b, err := os.ReadFile(filepath.Join("/etc/tomcat10", f))
		if err != nil {
			t.Fatalf("Tomcat's %s: %v", f, err)
		}
		if err := os.WriteFile(filepath.Join(base, "conf", f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	addr := freeAddr(t)
	host, port, _ := net.SplitHostPort(addr)
	server := fmt.Sprintf(`<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector address=%q port=%q protocol="HTTP/1.1" />
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false" />
    </Engine>
  </Service>
</Server>
`, host, port)
	if err := os.WriteFile(filepath.Join(base, "conf", "server.xml"), []byte(server), 0o644); err != nil {
		t.Fatal(err)
	}
	site(t, filepath.Join(base, "webapps", "ROOT"), files)
	cmd := exec.Command(java,
		"-Dcatalina.home="+home, "-Dcatalina.base="+base, "-Djava.io.tmpdir="+filepath.Join(base, "temp"),
		"-XX:TieredStopAtLevel=1", // a faster start, for a short-lived test server
		"-cp", home+"/bin/bootstrap.jar:"+home+"/bin/tomcat-juli.jar",
		"org.apache.catalina.startup.Bootstrap", "start")
	cmd.Dir = base
	startProcess(t, "tomcat", cmd, filepath.Join(base, "logs", "out.log"), "http://"+addr+"/", 90*time.Second)
	return "http://" + addr
}

// startNginx runs nginx serving files as static files.
func startNginx(t *testing.T, files map[string]string) string {
	t.Helper()
	bin := findServer(t, "nginx", "nginx", "/usr/sbin/nginx")
	dir := readableDir(t)
	root := filepath.Join(dir, "htdocs")
	site(t, root, files)
	addr := freeAddr(t)
	conf := fmt.Sprintf(`worker_processes 1;
master_process off;
error_log %[1]s/error.log;
pid %[1]s/nginx.pid;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	server {
		listen %[2]s;
		root %[3]s;
	}
}
`, dir, addr, root)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", path, "-g", "daemon off;")
	startProcess(t, "nginx", cmd, filepath.Join(dir, "out.log"), "http://"+addr+"/", 20*time.Second)
	return "http://" + addr
}

// startApache runs Apache httpd (Debian's apache2 binary, not apache2ctl
// and its environment) in the foreground with a config of its own,
// serving files as static files.
func startApache(t *testing.T, files map[string]string) string {
	t.Helper()
	bin := findServer(t, "apache2", "apache2", "/usr/sbin/apache2", "httpd")
	dir := readableDir(t)
	root := filepath.Join(dir, "htdocs")
	site(t, root, files)
	addr := freeAddr(t)
	user := ""
	if os.Geteuid() == 0 {
		user = "User nobody\nGroup nogroup\n"
	}
	mods := "/usr/lib/apache2/modules"
	conf := fmt.Sprintf(`ServerRoot %[1]q
ServerName 127.0.0.1
Listen %[2]s
LoadModule mpm_event_module %[4]s/mod_mpm_event.so
LoadModule authz_core_module %[4]s/mod_authz_core.so
%[5]sPidFile %[1]s/httpd.pid
DefaultRuntimeDir %[1]s
ErrorLog %[1]s/error.log
DocumentRoot %[3]q
<Directory %[3]q>
	Require all granted
</Directory>
`, dir, addr, root, mods, user)
	path := filepath.Join(dir, "httpd.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-X", "-f", path)
	cmd.Env = append(os.Environ(), "APACHE_RUN_DIR="+dir, "APACHE_LOG_DIR="+dir)
	startProcess(t, "apache2", cmd, filepath.Join(dir, "out.log"), "http://"+addr+"/", 20*time.Second)
	return "http://" + addr
}

// startGoFileServer serves files with net/http's FileServer.
func startGoFileServer(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	site(t, root, files)
	return newServer(t, http.FileServer(http.Dir(root)))
}
