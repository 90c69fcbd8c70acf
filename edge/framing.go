package edge

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/gonehttp/gone/answer"
)

// maxHeaderScan bounds the header block the guard holds while looking for
// its end. A block that grows past it is refused (431) unjudged: it must
// never reach net/http whole, since net/http reads up to its own
// MaxHeaderBytes plus 4 KiB and would serve what the guard did not judge.
const maxHeaderScan = 1 << 20

// guardListener gives every accepted connection its framing guard.
type guardListener struct{ net.Listener }

func (l guardListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &framingConn{Conn: c}, nil
}

// verdict is the guard's judgement of one request's header block.
type verdict struct {
	status int    // non-zero: refuse the request with this status
	key    string // the catalog text that says why
	close  bool   // close the connection once the request is answered
}

// framingConn passes a connection's bytes to net/http, holding each
// request's header block until it is complete so it can be judged first.
//
// net/http accepts a request with both Content-Length and
// Transfer-Encoding: it drops Content-Length, reads the body as chunked and
// keeps the connection open, so bytes that a front proxy framed by
// Content-Length as one request's body are read as the next request, which
// is then served: request smuggling. By the time a handler runs,
// Content-Length is gone from the request, so the judgement has to be made
// on the bytes. A request the guard refuses reaches net/http as a bodiless
// stand-in (its request line and Host, nothing else), which guardHandler
// answers with the refusal; nothing after it on the connection is ever
// passed on.
//
// Framing is followed by Content-Length only; after a chunked request the
// connection is closed (guardHandler), so no chunked body ever has to be
// parsed here to find the next request.
type framingConn struct {
	net.Conn
	mu   sync.Mutex
	out  []byte // judged bytes net/http has yet to read
	hdr  []byte // the header block being gathered
	body int64  // bytes of the current request's body still to pass
	// through is set once framing can no longer be followed (a chunked
	// or malformed request): everything after passes untouched, and the
	// connection is closed after the answer to that request.
	through bool
	// ended is set once a request was refused: nothing after it passes.
	ended bool
	buf   []byte // read buffer, reused
	// verdicts holds the judgement of each header block passed on and
	// not yet served, in order: net/http serves a connection's requests
	// one after the other, in the order they came. It has its own lock:
	// a handler asks for its verdict while net/http's background read
	// blocks in Read, holding mu.
	vmu      sync.Mutex
	verdicts []verdict
}

// next is the verdict on the next request net/http serves on c.
func (c *framingConn) next() verdict {
	c.vmu.Lock()
	defer c.vmu.Unlock()
	if len(c.verdicts) == 0 {
		// Past what the guard could follow (see through): never kept
		// alive.
		return verdict{close: true}
	}
	v := c.verdicts[0]
	// Shifted down rather than resliced, so the queue's array (nearly
	// always one verdict long) is reused rather than regrown per request.
	c.verdicts = c.verdicts[:copy(c.verdicts, c.verdicts[1:])]
	return v
}

func (c *framingConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.out) == 0 {
		if c.ended {
			return 0, io.EOF
		}
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
		if !errors.Is(err, os.ErrDeadlineExceeded) && !c.ended {
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

// release makes c pass every byte untouched from now on, those it holds
// first. net/http calls it through ConnState when a handler hijacks the
// connection, after it has ended its own background read.
func (c *framingConn) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out, c.hdr = append(c.out, c.hdr...), nil
	c.through = true
}

// feed follows the framing of the bytes b.
func (c *framingConn) feed(b []byte) {
	for len(b) > 0 && !c.ended {
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
					c.out = append(c.out, c.overflow()...)
				}
				return
			}
			block, rest := c.hdr[:end], c.hdr[end:]
			c.hdr = nil
			c.out = append(c.out, c.judge(block)...)
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

// judge reads one header block's framing and returns the bytes to pass on
// in its place: the block itself, or a stand-in for a refused request.
func (c *framingConn) judge(block []byte) []byte {
	f := parseFraming(block)
	v := f.verdict()
	c.vmu.Lock()
	c.verdicts = append(c.verdicts, v)
	c.vmu.Unlock()
	switch {
	case v.status != 0:
		c.ended = true
		if in := f.standIn(); in != nil {
			return in
		}
		// A request line net/http refuses itself (400, and it closes
		// the connection); its verdict stays queued, unused.
		return block
	case v.close:
		c.through = true
	case f.lengths > 0:
		// verdict checked that every length is the same run of digits.
		c.body, _ = strconv.ParseInt(string(f.length), 10, 64)
	}
	return block
}

// overflow refuses the header block being gathered, too long to judge: a
// stand-in made of its complete lines takes its place, or, when those do
// not make one, its bytes up to where the guard stopped, which net/http
// refuses itself.
func (c *framingConn) overflow() []byte {
	held := c.hdr
	c.hdr = nil
	c.ended = true
	c.vmu.Lock()
	c.verdicts = append(c.verdicts, verdict{status: http.StatusRequestHeaderFieldsTooLarge, key: answer.MsgHeadersTooLong, close: true})
	c.vmu.Unlock()
	if in := parseFraming(held[:bytes.LastIndexByte(held, '\n')+1]).standIn(); in != nil && len(in) <= maxHeaderScan {
		return in
	}
	return held
}

// framing is what one header block says about where its request ends.
// Parsing it allocates nothing: every request's header block is read here.
type framing struct {
	block    []byte
	http10   bool
	lengths  int    // Content-Length fields
	length   []byte // the first one's value, trimmed
	lengthOK bool   // every Content-Length is the same run of digits
	codings  int    // Transfer-Encoding fields
	coding   []byte // the first one's value, as sent
	badField bool   // a folded line, or a field that is not name: value
}

// lines calls each with every line of the block after the request line,
// without its line end, up to the empty line.
func lines(block []byte, each func(line []byte)) {
	rest := block[bytes.IndexByte(block, '\n')+1:]
	for len(rest) > 0 {
		end := bytes.IndexByte(rest, '\n')
		if end < 0 {
			end = len(rest)
		}
		line := bytes.TrimSuffix(rest[:end], []byte("\r"))
		if len(line) == 0 {
			return
		}
		each(line)
		rest = rest[min(end+1, len(rest)):]
	}
}

func parseFraming(block []byte) framing {
	f := framing{block: block, lengthOK: true}
	reqLine, _, _ := bytes.Cut(block, []byte("\n"))
	f.http10 = bytes.HasSuffix(bytes.TrimSuffix(reqLine, []byte("\r")), []byte(" HTTP/1.0"))
	lines(block, func(line []byte) {
		if line[0] == ' ' || line[0] == '\t' {
			f.badField = true // obs-fold (RFC 9112 §5.2)
			return
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !isToken(name) {
			f.badField = true // RFC 9112 §5.1: no whitespace before the colon
			return
		}
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			v := bytes.Trim(value, " \t")
			if f.lengths == 0 {
				f.length = v
			}
			f.lengths++
			f.lengthOK = f.lengthOK && isDigits(v) && bytes.Equal(v, f.length)
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			if f.codings == 0 {
				f.coding = value
			}
			f.codings++
		}
	})
	return f
}

// standIn is a bodiless request with the block's request line, Host and
// Accept-Language, to be answered in a refused request's place; nil when
// the request line is not one net/http would accept (it then refuses the
// block itself, with a 400, and closes).
func (f framing) standIn() []byte {
	reqLine, _, _ := bytes.Cut(f.block, []byte("\n"))
	reqLine = bytes.TrimSuffix(reqLine, []byte("\r"))
	method, rest, _ := bytes.Cut(reqLine, []byte(" "))
	target, proto, _ := bytes.Cut(rest, []byte(" "))
	if !isToken(method) || len(target) == 0 || bytes.ContainsAny(target, " \t") || (string(proto) != "HTTP/1.0" && string(proto) != "HTTP/1.1") {
		return nil
	}
	s := append(append([]byte{}, reqLine...), "\r\n"...)
	lines(f.block, func(line []byte) {
		name, _, _ := bytes.Cut(line, []byte(":"))
		if bytes.EqualFold(name, []byte("Host")) || bytes.EqualFold(name, []byte("Accept-Language")) {
			s = append(append(s, line...), "\r\n"...)
		}
	})
	return append(s, "Content-Length: 0\r\n\r\n"...)
}

func isDigits(b []byte) bool {
	if len(b) == 0 || len(b) > 18 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// verdict judges the framing: anything that two HTTP/1.1 parsers could
// read two ways is refused (RFC 9112 §6.1, §6.3).
func (f framing) verdict() verdict {
	refuse := func(status int, key string) verdict { return verdict{status: status, key: key, close: true} }
	if f.badField {
		return refuse(http.StatusBadRequest, answer.MsgFramingFold)
	}
	if !f.lengthOK {
		return refuse(http.StatusBadRequest, answer.MsgFramingCoding)
	}
	switch {
	case f.codings > 0 && f.lengths > 0:
		return refuse(http.StatusBadRequest, answer.MsgFramingClash)
	case f.codings > 1 || f.codings == 1 && f.http10:
		return refuse(http.StatusBadRequest, answer.MsgFramingCoding)
	case f.codings == 1:
		// Only "chunked", spelled so: a coding another parser might
		// read otherwise (a tab, another case, a list) is refused.
		v := bytes.Trim(f.coding, " ")
		switch {
		case string(v) == "chunked":
			return verdict{close: true}
		case bytes.EqualFold(v, []byte("chunked")) || bytes.ContainsAny(v, "\t,"):
			return refuse(http.StatusBadRequest, answer.MsgFramingCoding)
		default:
			return refuse(http.StatusNotImplemented, answer.MsgFramingCoding)
		}
	}
	return verdict{}
}

// isToken reports whether b is an RFC 9110 token (a field name, a method).
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
