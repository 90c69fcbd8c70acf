package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testCert writes a fresh self-signed certificate for 127.0.0.1 and
// localhost, and returns its files and a pool that trusts it.
func testCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gone test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// startTLS runs the real program in-process with args and returns the
// HOST:PORT of its "listening on https://" line.
func startTLS(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		err := run(ctx, args, func(k string) string {
			if k == "GONE_ADMIN_TOKEN" {
				return "ops-token"
			}
			return ""
		}, nil, pw, io.Discard)
		pw.Close()
		errc <- err
	}()
	t.Cleanup(func() {
		if err := <-errc; err != nil {
			t.Errorf("%s: %v", args[0], err)
		}
	})
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "listening on https://"); ok {
			go io.Copy(io.Discard, pr)
			return a
		}
	}
	t.Fatalf("%s never said it listens on https://", args[0])
	return ""
}

// serve and proxy with --tls-cert and --tls-key answer over HTTP/2 and
// HTTP/1.1, and the framing guard still reads HTTP/1.1 under TLS.
func TestServeTLS(t *testing.T) {
	certFile, keyFile, pool := testCert(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tlsArgs := []string{"--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile}
	serveAddr := startTLS(t, ctx, append([]string{"serve", "--demo", "--db", filepath.Join(t.TempDir(), "gone.db")}, tlsArgs...)...)
	upstream := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "upstream "+r.URL.Path) })}
	uln, _ := net.Listen("tcp", "127.0.0.1:0")
	go upstream.Serve(uln)
	defer upstream.Close()
	proxyAddr := startTLS(t, ctx, append([]string{"proxy", "--upstream", "http://" + uln.Addr().String(), "--db", filepath.Join(t.TempDir(), "proxy.db")}, tlsArgs...)...)

	h2 := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	h1 := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool},
		TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{}}}
	cases := []struct {
		name   string
		client *http.Client
		url    string
		proto  string
		status int
		body   string
	}{
		{"serve, HTTP/2, 410", h2, "https://" + serveAddr + "/api/users/123", "HTTP/2.0", 410, "permanently deleted"},
		{"serve, HTTP/2, 200", h2, "https://" + serveAddr + "/api/users/42", "HTTP/2.0", 200, "Ada Lovelace"},
		{"serve, HTTP/1.1, 410", h1, "https://" + serveAddr + "/api/users/123", "HTTP/1.1", 410, "permanently deleted"},
		{"serve, HTTP/2, healthz", h2, "https://" + serveAddr + "/healthz", "HTTP/2.0", 200, "ok"},
		{"proxy, HTTP/2, upstream", h2, "https://" + proxyAddr + "/blog/hello", "HTTP/2.0", 200, "upstream /blog/hello"},
		{"proxy, HTTP/1.1, upstream", h1, "https://" + proxyAddr + "/blog/hello", "HTTP/1.1", 200, "upstream /blog/hello"},
		{"proxy, HTTP/2, admin", h2, "https://" + proxyAddr + "/_gone/healthz", "HTTP/2.0", 200, "ok"},
	}
	for _, tc := range cases {
		resp, err := tc.client.Get(tc.url)
		if err != nil {
			t.Errorf("%s: GET %s: %v", tc.name, tc.url, err)
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Proto != tc.proto || resp.StatusCode != tc.status || !strings.Contains(string(b), tc.body) {
			t.Errorf("%s: %s %d %q, want %s %d with %q", tc.name, resp.Proto, resp.StatusCode, b, tc.proto, tc.status, tc.body)
		}
	}

	// Plain HTTP on the TLS port is not served.
	if resp, err := http.Get("http://" + serveAddr + "/healthz"); err == nil && resp.StatusCode == 200 {
		t.Errorf("plain HTTP on the TLS port answered 200")
	}

	// Request smuggling over HTTP/1.1 inside TLS is refused as in the clear.
	c, err := tls.Dial("tcp", serveAddr, &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "POST /api/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ops-token\r\nContent-Type: application/json\r\n"+
		"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("the server kept the TLS connection open after a CL+TE request: %v; read:\n%s", err, got)
	}
	if !strings.HasPrefix(string(got), "HTTP/1.1 400 ") || strings.Count(string(got), "HTTP/1.1 ") != 1 {
		t.Errorf("CL and TE over TLS: answer\n%s\nwant one 400 and the connection closed", got)
	}
}

// A TLS setting that cannot work stops serve before it opens the port or
// the database.
func TestServeTLSRefuses(t *testing.T) {
	t.Parallel()
	certFile, _, _ := testCert(t)
	dir := t.TempDir()
	s := &cliServer{t: t}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"cert without key", []string{"--tls-cert", certFile}, exitUsage, "--tls-cert and --tls-key go together"},
		{"key without cert", []string{"--tls-key", certFile}, exitUsage, "--tls-cert and --tls-key go together"},
		{"missing key file", []string{"--tls-cert", certFile, "--tls-key", filepath.Join(dir, "nope.pem")}, exitFailed, "nope.pem"},
		{"cert as key", []string{"--tls-cert", certFile, "--tls-key", certFile}, exitFailed, "--tls-key"},
	}
	for _, tc := range cases {
		for _, cmd := range [][]string{{"serve", "--demo"}, {"proxy", "--upstream", "http://127.0.0.1:1"}} {
			args := append(append(cmd, "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "gone.db")), tc.args...)
			s.goneEnv(map[string]string{}, "", args...).want(t, cmd[0]+", "+tc.name, tc.code, tc.want)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "gone.db*")); len(entries) > 0 {
		t.Errorf("a refused TLS setting left %v behind", entries)
	}
}
