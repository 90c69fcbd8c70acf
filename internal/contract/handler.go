package contract

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"testing"
)

// maxKept bounds the bytes of a request or response body kept for the
// check; past it the exchange's body is not checked (a test that sends
// megabytes is testing limits, not shapes).
const maxKept = 4 << 20

// Handler returns h with every exchange checked against c. A mismatch
// fails tb with Check's message. Failures are reported while the test
// runs, never after it ends, so servers that outlive a test are safe.
func Handler(tb testing.TB, c *Checker, h http.Handler) http.Handler {
	var mu sync.Mutex
	done := false
	tb.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		done = true
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqBody []byte
		whole := true
		if r.Body != nil && r.Body != http.NoBody {
			reqBody, _ = io.ReadAll(io.LimitReader(r.Body, maxKept+1))
			whole = len(reqBody) <= maxKept
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(reqBody), r.Body), r.Body}
		}
		// The check sees the request as the handler received it: the
		// handler may change r's context, not the request line.
		orig := r.Clone(r.Context())
		rec := &recorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if !whole || rec.overflow {
			return
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		header := rec.header
		if header == nil {
			header = w.Header().Clone()
		}
		err := c.Check(Exchange{Request: orig, RequestBody: reqBody, Status: status, Header: header, Body: rec.body.Bytes()})
		if err == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if !done {
			tb.Error(err)
		}
	})
}

// recorder passes a response through and keeps its status, the headers
// as they were sent and the body.
type recorder struct {
	http.ResponseWriter
	status   int
	header   http.Header
	body     bytes.Buffer
	overflow bool
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 || code == http.StatusSwitchingProtocols {
		r.status = code
		r.header = r.ResponseWriter.Header().Clone()
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	if r.body.Len()+len(b) > maxKept {
		r.overflow = true
	} else {
		r.body.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer beneath, so
// flushing and deadlines work through the check.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush passes a flush through (streamed answers), through writers that
// only Unwrap as well as those that are Flushers.
func (r *recorder) Flush() {
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}
