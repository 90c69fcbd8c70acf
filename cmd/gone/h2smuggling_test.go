package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHTTP2LengthsDisagree speaks raw HTTP/2 over TLS to gone proxy in
// front of an HTTP/1.1 upstream that records what it receives: a request
// whose content-length disagrees with its DATA frames (more data, less
// data, a body hiding a second request) never puts more bytes on the
// upstream connection than its declared length, so nothing the client
// sends is read there as a request of its own.
func TestHTTP2LengthsDisagree(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := testCert(t)
	up := &recorder{}
	upLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	upSrv := &http.Server{Handler: up}
	go upSrv.Serve(upLn)
	t.Cleanup(func() { upSrv.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := startTLS(t, ctx, "proxy", "--upstream", "http://"+upLn.Addr().String(), "--db", filepath.Join(t.TempDir(), "proxy.db"),
		"--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile)

	smuggled := "GET /secret/x HTTP/1.1\r\nHost: a\r\n\r\n"
	tests := []struct {
		name   string
		length string // the content-length field; "" sends none
		data   []string
	}{
		{"more data than declared", "5", []string{"01234" + smuggled}},
		{"zero declared", "0", []string{smuggled}},
		{"more data over two frames", "5", []string{"01234", smuggled}},
		{"less data than declared", "100", []string{smuggled}},
		{"a transfer-encoding field", "", []string{"0\r\n\r\n" + smuggled}},
	}
	for _, tt := range tests {
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, NextProtos: []string{"h2"}})
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(time.Second))
		fields := [][2]string{{":method", "POST"}, {":scheme", "https"}, {":path", "/anything"}, {":authority", "a"}}
		if tt.length != "" {
			fields = append(fields, [2]string{"content-length", tt.length})
		} else {
			fields = append(fields, [2]string{"transfer-encoding", "chunked"})
		}
		var out bytes.Buffer
		out.WriteString("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
		writeFrame(&out, 0x4, 0, 0, nil) // SETTINGS
		writeFrame(&out, 0x1, 0x4, 1, hpackLiterals(fields))
		for i, d := range tt.data {
			flags := byte(0)
			if i == len(tt.data)-1 {
				flags = 0x1 // END_STREAM
			}
			writeFrame(&out, 0x0, flags, 1, []byte(d))
		}
		c.Write(out.Bytes())
		// Read what comes back until the connection ends or goes quiet.
		io.Copy(io.Discard, io.LimitReader(c, 1<<16))
		c.Close()
		time.Sleep(200 * time.Millisecond)
		for _, s := range up.take() {
			line, rest, _ := strings.Cut(s, "\n")
			_, body, _ := strings.Cut(rest, "\n\n")
			if strings.Contains(line, "/secret/") || tt.length != "" && len(body) > atoi(tt.length) {
				t.Errorf("%s: the upstream read %q with body %q", tt.name, line, body)
			}
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// writeFrame appends one HTTP/2 frame (RFC 9113 §4.1).
func writeFrame(b *bytes.Buffer, typ, flags byte, stream uint32, payload []byte) {
	var h [9]byte
	h[0], h[1], h[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
	h[3], h[4] = typ, flags
	binary.BigEndian.PutUint32(h[5:], stream)
	b.Write(h[:])
	b.Write(payload)
}

// hpackLiterals encodes fields as HPACK literals without indexing and
// without Huffman coding (RFC 7541 §6.2.2); every string under 127 bytes.
func hpackLiterals(fields [][2]string) []byte {
	var b []byte
	for _, f := range fields {
		b = append(b, 0x00, byte(len(f[0])))
		b = append(b, f[0]...)
		b = append(b, byte(len(f[1])))
		b = append(b, f[1]...)
	}
	return b
}
