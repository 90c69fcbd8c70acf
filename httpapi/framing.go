package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// framingHeader is the header GuardFraming adds to a request for
// checkFraming: "conflict" when its framing is ambiguous (refuse it and
// close), "close" when the connection cannot be followed past it (a
// chunked body: close after answering). A client that sends it itself only
// gets its own connection closed.
const framingHeader = "Gone-Framing"

// maxHeaderScan bounds the header block GuardFraming holds while looking
// for its end; past it, net/http's own MaxHeaderBytes decides.
const maxHeaderScan = 1 << 20

// GuardFraming wraps ln so that a request with both Content-Length and
// Transfer-Encoding is refused and its connection closed (RFC 9112 §6.3).
//
// net/http accepts such a request: it drops Content-Length, reads the body
// as chunked and keeps the connection open, so bytes that a front proxy
// framed by Content-Length as one request's body are read as the next
// request, which is then served: request smuggling. By the time a handler
// runs, Content-Length is gone from the request, so the check has to look
// at the bytes: each connection's header blocks are inspected as net/http
// reads them, and an ambiguous one is marked (framingHeader) for
// checkFraming, which answers 400 with Connection: close. The connection is
// never read past that request.
//
// Framing is followed by Content-Length only; after a chunked request the
// connection is closed (checkFraming), so no chunked body ever has to be
// parsed here to find the next request.
func GuardFraming(ln net.Listener) net.Listener { return framingListener{ln} }

type framingListener struct{ net.Listener }

func (l framingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &framingConn{Conn: c}, nil
}

// framingConn passes a connection's bytes to net/http, holding each
// request's header block until it is complete so it can be inspected (and
// marked) first.
type framingConn struct {
	net.Conn
	mu   sync.Mutex
	out  []byte // inspected bytes net/http has yet to read
	hdr  []byte // the header block being gathered
	body int64  // bytes of the current request's body still to pass
	// through is set once framing can no longer be followed (a chunked
	// or malformed request): everything after passes untouched, and the
	// connection is closed after the answer to that request.
	through bool
	buf     []byte // read buffer, reused
}

func (c *framingConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.out) == 0 {
		if c.through && len(c.hdr) == 0 {
			return c.Conn.Read(p)
		}
		if c.buf == nil {
			c.buf = make([]byte, 16<<10)
		}
		n, err := c.Conn.Read(c.buf)
		c.feed(c.buf[:n])
		if err == nil {
			continue
		}
		// A timeout is how net/http ends its background read while a
		// handler runs; the connection goes on, so a partial header
		// stays held. Any other error ends it: pass on what there is
		// for net/http to report. Either way the error is not kept: a
		// read after a timeout must read again.
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			c.out, c.hdr = append(c.out, c.hdr...), nil
		}
		if len(c.out) == 0 {
			return 0, err
		}
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

// feed follows the framing of the bytes b.
func (c *framingConn) feed(b []byte) {
	for len(b) > 0 {
		switch {
		case c.through:
			c.out = append(c.out, b...)
			return
		case c.body > 0:
			n := min(int64(len(b)), c.body)
			c.out = append(c.out, b[:n]...)
			c.body -= n
			b = b[n:]
		case len(c.hdr) == 0 && (b[0] == '\r' || b[0] == '\n'):
			// Empty lines before a request line are tolerated (RFC 9112 §2.2).
			c.out = append(c.out, b[0])
			b = b[1:]
		default:
			c.hdr = append(c.hdr, b...)
			b = nil
			end := headerEnd(c.hdr)
			if end < 0 {
				if len(c.hdr) > maxHeaderScan {
					c.through = true
					c.out, c.hdr = append(c.out, c.hdr...), nil
				}
				return
			}
			block, rest := c.hdr[:end], c.hdr[end:]
			c.hdr = nil
			c.out = append(c.out, c.inspect(block)...)
			b = rest
		}
	}
}

// headerEnd is the length of the header block at the start of b, up to and
// including its empty line, or -1 while it is incomplete.
func headerEnd(b []byte) int {
	for i := 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		switch {
		case i+1 < len(b) && b[i+1] == '\n':
			return i + 2
		case i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n':
			return i + 3
		}
	}
	return -1
}

// inspect reads one header block's framing fields and returns the block to
// pass on: marked when Content-Length and Transfer-Encoding both appear.
func (c *framingConn) inspect(block []byte) []byte {
	lines := bytes.Split(block, []byte("\n"))
	var lengths [][]byte
	chunked := false
	for _, line := range lines[1:] {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		switch {
		case bytes.EqualFold(bytes.TrimSpace(name), []byte("Content-Length")):
			lengths = append(lengths, bytes.TrimSpace(value))
		case bytes.EqualFold(bytes.TrimSpace(name), []byte("Transfer-Encoding")):
			chunked = true
		}
	}
	mark := func(verdict string) []byte {
		c.through = true
		reqLine := lines[0]
		marked := make([]byte, 0, len(block)+len(framingHeader)+16)
		marked = append(marked, reqLine...)
		marked = append(marked, '\n')
		marked = append(marked, framingHeader+": "+verdict+"\r\n"...)
		return append(marked, block[len(reqLine)+1:]...)
	}
	switch {
	case chunked && len(lengths) > 0:
		return mark("conflict")
	case chunked:
		return mark("close")
	case len(lengths) > 0:
		n, err := strconv.ParseInt(string(lengths[0]), 10, 64)
		for _, l := range lengths[1:] {
			if !bytes.Equal(l, lengths[0]) {
				err = strconv.ErrSyntax
			}
		}
		if err != nil || n < 0 {
			c.through = true // net/http refuses it and closes
		} else {
			c.body = n
		}
	}
	return block
}

// MaxURIBytes is the longest request target (path and query) gone serves;
// a longer one is answered 414. RFC 9110 §4.1 asks for at least 8000.
const MaxURIBytes = 16 << 10

// MaxHeaderBytes is the most header data (request line included) gone
// serves; more is answered 431. The http.Server's own MaxHeaderBytes must be
// larger (cmd/gone uses 1 MiB), so that these answers are gone's problem
// bodies rather than net/http's plain-text 431.
const MaxHeaderBytes = 64 << 10

// checkFraming answers what GuardFraming marked and what is too long: a
// request with ambiguous framing gets 400 and its connection is closed
// (RFC 9112 §6.3); after a chunked request the connection is closed once
// answered; an overlong request target gets 414 and overlong headers 431,
// as problems, and those connections are closed too.
func (s *server) checkFraming(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		verdict := r.Header.Get(framingHeader)
		r.Header.Del(framingHeader)
		// The language is negotiated only when refusing: a request
		// that passes needs none here.
		refuse := func(status int, detail string) {
			lng := answer.Language(r)
			w.Header().Set("Connection", "close")
			answer.Write(w, lng, newProblem(r, lng, status, detail))
		}
		switch {
		case verdict == "conflict":
			w.Header().Set("Connection", "close")
			s.writeError(w, r, gone.Errorf(gone.EINVALID,
				"The request has both Content-Length and Transfer-Encoding, so where it ends is ambiguous (RFC 9112 §6.3). It was refused and the connection is closed."))
			return
		case len(r.RequestURI) > MaxURIBytes:
			refuse(http.StatusRequestURITooLong, fmt.Sprintf("The request target is longer than %d bytes.", MaxURIBytes))
			return
		case headerBytes(r) > MaxHeaderBytes:
			refuse(http.StatusRequestHeaderFieldsTooLarge, fmt.Sprintf("The request line and headers are larger than %d bytes.", MaxHeaderBytes))
			return
		case verdict != "" || len(r.TransferEncoding) > 0:
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}

// headerBytes is about what r's request line and headers took on the wire.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}
