// Command samebytes is the same-bytes reference of bench/perf.sh and
// bench/proxy.sh: bare net/http answering every GET with exactly the
// status, headers and body a running gone sent for one URL, fetched once
// at start. Only Date (net/http writes its own) and X-Request-Id (fresh on
// every answer, as gone makes one per request) differ from the original.
// It is the limit for any answer gone gives from memory: the same bytes on
// the wire, with nothing computed.
//
// usage: samebytes HOST:PORT URL   (prints "listening on http://ADDR")
package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "samebytes:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: samebytes HOST:PORT URL")
	}
	a, err := capture(args[1])
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", args[0])
	if err != nil {
		return err
	}
	fmt.Printf("listening on http://%s (replaying %d, %d headers, %d-byte body of %s)\n",
		ln.Addr(), a.status, len(a.header), len(a.body), args[1])
	return http.Serve(ln, a)
}

// answer is one captured response.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// capture fetches url once, as wrk asks for it: no Accept-Encoding (so the
// body is the bytes gone sends wrk) and no redirect followed (a 308 is
// replayed as a 308).
func capture(url string) (*answer, error) {
	c := &http.Client{
		Timeout:       10 * time.Second,
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", url, err)
	}
	h := resp.Header.Clone()
	// Date is written by net/http itself; the request id is made anew per
	// answer below. Connection-level headers belong to the transport.
	for _, k := range []string{"Date", "X-Request-Id", "Connection", "Keep-Alive"} {
		h.Del(k)
	}
	return &answer{status: resp.StatusCode, header: h, body: body}, nil
}

// ServeHTTP copies the captured headers into the response's (net/http
// owns that map, so it cannot be shared), adds a fresh request id and
// writes the captured status and body.
func (a *answer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, v := range a.header {
		h[k] = v
	}
	h["X-Request-Id"] = []string{requestID()}
	w.WriteHeader(a.status)
	if r.Method != http.MethodHead {
		w.Write(a.body)
	}
}

// requestID is 16 hex digits of a random number, the shape and cost of the
// id gone gives a request that brings none.
func requestID() string {
	var b [16]byte
	const hex = "0123456789abcdef"
	for i, n := 0, rand.Uint64(); i < len(b); i, n = i+1, n>>4 {
		b[i] = hex[n&15]
	}
	return string(b[:])
}
