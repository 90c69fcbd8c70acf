package edge

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Serve with TLS answers HTTP/2 and HTTP/1.1, and the guard still reads
// HTTP/1.1 below TLS: a request framed two ways is refused and its
// connection closed; a client that never finishes its handshake holds up
// no one.
func TestServeTLS(t *testing.T) {
	t.Parallel()
	// httptest's certificate for 127.0.0.1 and its trusting client.
	ts := httptest.NewUnstartedServer(nil)
	ts.EnableHTTP2 = true
	ts.StartTLS()
	cert, pool := ts.TLS.Certificates, ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	ts.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	})}
	done := make(chan error, 1)
	go func() {
		done <- Serve(srv, ln, Config{TLS: &tls.Config{Certificates: cert, NextProtos: []string{"h2", "http/1.1"}}})
	}()
	defer func() {
		srv.Close()
		if err := <-done; err != http.ErrServerClosed {
			t.Errorf("Serve after Close = %v, want http.ErrServerClosed", err)
		}
	}()
	url := "https://" + ln.Addr().String() + "/"

	// A client that connects and says nothing must not stop others.
	idle, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()

	for _, tc := range []struct {
		name  string
		tr    *http.Transport
		proto string
	}{
		{"HTTP/2", &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}, "HTTP/2.0"},
		{"HTTP/1.1", &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{}}, "HTTP/1.1"},
	} {
		resp, err := (&http.Client{Transport: tc.tr, Timeout: 5 * time.Second}).Get(url)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Proto != tc.proto || string(b) != tc.proto {
			t.Errorf("%s: answered over %s, handler saw %q; want %s", tc.name, resp.Proto, b, tc.proto)
		}
	}

	c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("the connection stayed open after a request framed two ways: %v\n%s", err, got)
	}
	if !strings.HasPrefix(string(got), "HTTP/1.1 400 ") || strings.Count(string(got), "HTTP/1.1 ") != 1 {
		t.Errorf("CL and TE over TLS: answer\n%s\nwant one 400 and the connection closed", got)
	}
}
