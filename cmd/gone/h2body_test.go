package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"path/filepath"
	"testing"
	"time"
)

// Over HTTP/2 a request body that stops arriving is its own stream's
// 408, on serve and proxy alike: the connection goes on serving other
// streams (Connection: close, which an HTTP/1 408 carries, would have
// Go's HTTP/2 server end the whole connection).
func TestStalledBodyOnHTTP2EndsItsStreamAlone(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := testCert(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tlsArgs := []string{"--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile, "--body-idle-timeout", "300ms"}
	serve := startTLS(t, ctx, append([]string{"serve", "--demo", "--db", filepath.Join(t.TempDir(), "gone.db")}, tlsArgs...)...)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "upstream")
	}))
	defer up.Close()
	prox := startTLS(t, ctx, append([]string{"proxy", "--upstream", up.URL, "--db", filepath.Join(t.TempDir(), "proxy.db")}, tlsArgs...)...)
	for _, door := range []struct{ name, addr, get, put string }{
		{"serve", serve, "/api/users/42", "/api/users/stalled"},
		{"proxy", prox, "/page", "/upload"},
	} {
		stalledStreamAlone(t, door.name, pool, door.addr, door.get, door.put)
	}
}

// stalledStreamAlone GETs get at addr over HTTP/2, PUTs a body to put
// that stalls, wants 408, and GETs again on the same connection.
func stalledStreamAlone(t *testing.T, door string, pool *x509.CertPool, addr, get, put string) {
	h2 := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	defer h2.CloseIdleConnections()
	getOnce := func(reused bool) {
		t.Helper()
		var conn httptrace.GotConnInfo
		req, _ := http.NewRequest("GET", "https://"+addr+get, nil)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { conn = i }}))
		resp, err := h2.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Proto != "HTTP/2.0" || conn.Reused != reused {
			t.Errorf("%s: GET: %s %d (connection reused %v), want HTTP/2.0 200 (reused %v)", door, resp.Proto, resp.StatusCode, conn.Reused, reused)
		}
	}
	getOnce(false)

	pr, pw := io.Pipe()
	defer pw.Close()
	go io.WriteString(pw, `{"name":`)
	req, _ := http.NewRequest("PUT", "https://"+addr+put, pr)
	req.Header.Set("Authorization", "Bearer ops-token")
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := h2.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || resp.Proto != "HTTP/2.0" {
		t.Errorf("%s: PUT with a stalled body: %s %d after %v, want HTTP/2.0 408", door, resp.Proto, resp.StatusCode, time.Since(start))
	}
	getOnce(true)
}
