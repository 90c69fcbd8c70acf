package edge

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
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
func readAll(t *testing.T, raw string, seed uint64) (string, *framingConn) {
	t.Helper()
	fc := &framingConn{Conn: &chunkedConn{data: []byte(raw), rng: rand.New(rand.NewPCG(seed, 1))}}
	var out bytes.Buffer
	buf := make([]byte, 7)
	for {
		n, err := fc.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			return out.String(), fc
		}
	}
}

// The guard passes every byte through unchanged, whatever the read sizes,
// while it follows Content-Length framing (a body that looks like headers
// is still a body); a request with both Content-Length and
// Transfer-Encoding reaches net/http only as a bodiless stand-in, and
// nothing after it does.
func TestFramingConnPassesBytes(t *testing.T) {
	tricky := "Transfer-Encoding: chunked\r\n\r\nGET /x HTTP/1.1\r\n\r\n"
	clean := "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" +
		"\r\n" + // an empty line between requests is tolerated
		"POST /b HTTP/1.1\r\nHost: x\r\ncontent-length: " + itoa(len(tricky)) + "\r\n\r\n" + tricky +
		"PUT /c HTTP/1.1\nHost: x\nContent-Length: 2\n\n{}" +
		"GET /d HTTP/1.1\r\nHost: x\r\n\r\n"
	for seed := uint64(0); seed < 50; seed++ {
		if got, _ := readAll(t, clean, seed); got != clean {
			t.Fatalf("seed %d: clean requests changed:\n%q\nwant\n%q", seed, got, clean)
		}
	}
	bad := "POST /e HTTP/1.1\r\nHost: x\r\nAccept-Language: es\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n"
	want := clean + "POST /e HTTP/1.1\r\nHost: x\r\nAccept-Language: es\r\nContent-Length: 0\r\n\r\n"
	for seed := uint64(0); seed < 50; seed++ {
		got, fc := readAll(t, clean+bad, seed)
		if got != want {
			t.Fatalf("seed %d: got\n%q\nwant\n%q", seed, got, want)
		}
		for i := range 4 {
			if v := fc.next(); v != (verdict{}) {
				t.Fatalf("seed %d: request %d judged %+v, want served", seed, i, v)
			}
		}
		if v := fc.next(); v.status != 400 || !v.close {
			t.Fatalf("seed %d: CL+TE judged %+v, want refused with 400", seed, v)
		}
	}
	chunked := "POST /f HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
	if got, fc := readAll(t, chunked, 1); got != chunked || !fc.next().close {
		t.Errorf("a chunked request is passed as %q and not closed after", got)
	}
}

// TestFramingVerdicts judges one header block of each kind a front proxy
// and net/http could frame differently (RFC 9112 §6), and the ordinary
// ones that must pass.
func TestFramingVerdicts(t *testing.T) {
	for _, c := range []struct {
		name, fields string
		http10       bool
		want         verdict
	}{
		{"no body", "Host: x\r\n", false, verdict{}},
		{"length", "Content-Length: 12\r\n", false, verdict{}},
		{"length twice, same", "Content-Length: 3\r\nContent-Length: 3\r\n", false, verdict{}},
		{"chunked", "Transfer-Encoding: chunked\r\n", false, verdict{close: true}},
		{"chunked with OWS", "Transfer-Encoding:  chunked \r\n", false, verdict{close: true}},
		{"CL then TE", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", false, verdict{400, "framing.ambiguous", true}},
		{"TE then CL", "transfer-encoding: chunked\r\ncontent-length: 5\r\n", false, verdict{400, "framing.ambiguous", true}},
		{"TE twice", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", false, verdict{400, "framing.coding", true}},
		{"TE list", "Transfer-Encoding: chunked, identity\r\n", false, verdict{400, "framing.coding", true}},
		{"TE tab", "Transfer-Encoding:\tchunked\r\n", false, verdict{400, "framing.coding", true}},
		{"TE upper case", "Transfer-Encoding: CHUNKED\r\n", false, verdict{400, "framing.coding", true}},
		{"TE unknown", "Transfer-Encoding: gzip\r\n", false, verdict{501, "framing.coding", true}},
		{"TE on HTTP/1.0", "Transfer-Encoding: chunked\r\n", true, verdict{400, "framing.coding", true}},
		{"space before colon", "Transfer-Encoding : chunked\r\n", false, verdict{400, "framing.fold", true}},
		{"obs-fold", "X-A: b\r\n Transfer-Encoding: chunked\r\n", false, verdict{400, "framing.fold", true}},
		{"folded TE value", "Transfer-Encoding:\r\n chunked\r\nContent-Length: 3\r\n", false, verdict{400, "framing.fold", true}},
		{"no colon", "Garbage\r\n", false, verdict{400, "framing.fold", true}},
		{"CL list", "Content-Length: 5, 5\r\n", false, verdict{400, "framing.coding", true}},
		{"CL differ", "Content-Length: 5\r\nContent-Length: 6\r\n", false, verdict{400, "framing.coding", true}},
		{"CL sign", "Content-Length: +5\r\n", false, verdict{400, "framing.coding", true}},
		{"CL hex", "Content-Length: 0x5\r\n", false, verdict{400, "framing.coding", true}},
		{"CL empty", "Content-Length: \r\n", false, verdict{400, "framing.coding", true}},
	} {
		proto := "HTTP/1.1"
		if c.http10 {
			proto = "HTTP/1.0"
		}
		block := "POST /x " + proto + "\r\nHost: x\r\n" + c.fields + "\r\n"
		if got := parseFraming([]byte(block)).verdict(); got != c.want {
			t.Errorf("%s: verdict %+v, want %+v", c.name, got, c.want)
		}
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
