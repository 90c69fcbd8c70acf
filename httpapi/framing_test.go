package httpapi

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"testing"
)

// chunkedConn is a net.Conn whose reads return data in pieces of random
// size, as a network would.
type chunkedConn struct {
	net.Conn
	data []byte
	rng  *rand.Rand // nil: whole reads
}

func (c *chunkedConn) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data))
	if c.rng != nil {
		n = min(n, 1+c.rng.IntN(40))
	}
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// readAll reads what net/http would get from raw through the guard.
func readAll(t *testing.T, raw string, seed uint64) string {
	t.Helper()
	fc := &framingConn{Conn: &chunkedConn{data: []byte(raw), rng: rand.New(rand.NewPCG(seed, 1))}}
	var out bytes.Buffer
	buf := make([]byte, 7)
	for {
		n, err := fc.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			return out.String()
		}
	}
}

// The guard passes every byte through unchanged, whatever the read sizes,
// while it follows Content-Length framing (a body that looks like headers
// is still a body), and marks exactly the request with both Content-Length
// and Transfer-Encoding.
func TestFramingConnPassesBytes(t *testing.T) {
	tricky := "Transfer-Encoding: chunked\r\n\r\nGET /x HTTP/1.1\r\n\r\n"
	clean := "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" +
		"\r\n" + // an empty line between requests is tolerated
		"POST /b HTTP/1.1\r\nHost: x\r\ncontent-length: " + itoa(len(tricky)) + "\r\n\r\n" + tricky +
		"PUT /c HTTP/1.1\nHost: x\nContent-Length: 2\n\n{}" +
		"GET /d HTTP/1.1\r\nHost: x\r\n\r\n"
	for seed := uint64(0); seed < 50; seed++ {
		if got := readAll(t, clean, seed); got != clean {
			t.Fatalf("seed %d: clean requests changed:\n%q\nwant\n%q", seed, got, clean)
		}
	}
	bad := "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n"
	want := clean + "POST /e HTTP/1.1\r\n" + framingHeader + ": conflict\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n"
	for seed := uint64(0); seed < 50; seed++ {
		if got := readAll(t, clean+bad, seed); got != want {
			t.Fatalf("seed %d: got\n%q\nwant\n%q", seed, got, want)
		}
	}
	chunked := "POST /f HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
	if got := readAll(t, chunked, 1); !strings.Contains(got, framingHeader+": close\r\n") {
		t.Errorf("a chunked request is not marked for closing:\n%q", got)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// BenchmarkFramingConn measures what the guard adds to reading one
// request: a typical GET's header block, read through the guard in 4 KiB
// reads as net/http's bufio does.
func BenchmarkFramingConn(b *testing.B) {
	req := []byte("GET /api/users/42 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: bench\r\nAccept: application/json\r\nAuthorization: Bearer secret\r\n\r\n")
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(req)))
	fc := &framingConn{Conn: &chunkedConn{}}
	src := fc.Conn.(*chunkedConn)
	for b.Loop() {
		src.data = req
		n := 0
		for n < len(req) {
			m, err := fc.Read(buf)
			if err != nil {
				b.Fatal(err)
			}
			n += m
		}
	}
}
