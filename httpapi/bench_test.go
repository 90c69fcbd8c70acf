package httpapi_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gonehttp/gone/edge"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/demotest"
	"github.com/gonehttp/gone/internal/logbuf"
	"github.com/gonehttp/gone/metrics"
)

var readCases = []struct{ name, path string }{
	{"live", "/api/users/42"},
	{"gone", "/api/users/123"},
	{"never", "/api/users/999"},
	{"expired", "/api/promotions/summer-sale-2025"},
}

// BenchmarkRead measures a GET of one id through the whole handler (the
// request log formatted as serve formats it, then discarded; metrics on)
// with the id in the read cache: the hot path of a skewed load.
func BenchmarkRead(b *testing.B) {
	for _, bc := range readCases {
		b.Run(bc.name, func(b *testing.B) {
			benchRead(b, bc.path, false)
		})
	}
}

// BenchmarkBatch measures POST /api/{collection}/_batch of 5000 new rows
// through the whole handler into a real SQLite file (five transactions,
// one fsync each); rows/s is the import rate the server can take.
func BenchmarkBatch(b *testing.B) {
	e := newUncheckedEnv(&testing.T{})
	const rows = 5000
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		var body strings.Builder
		for range rows {
			n++
			fmt.Fprintf(&body, `{"id":"u%d","data":{"id":"u%d","name":"User %d","email":"u%d@example.com","age":%d}}`+"\n", n, n, n, n, n%90)
		}
		r := httptest.NewRequest("POST", "/api/users/_batch", strings.NewReader(body.String()))
		r.Header.Set("Authorization", "Bearer "+adminToken)
		r.Header.Set("Content-Type", "application/x-ndjson")
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		if w.Code != 200 || strings.Count(w.Body.String(), `"created"`) != rows {
			b.Fatalf("status %d: %.300s", w.Code, w.Body.String())
		}
	}
	b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReadFull is BenchmarkRead through the whole chain, with the
// record in the read cache but no kept answer (a query keeps a request off
// the memo): what the first reads of an id cost besides the store.
func BenchmarkReadFull(b *testing.B) {
	for _, bc := range readCases {
		b.Run(bc.name, func(b *testing.B) {
			benchRead(b, bc.path+"?full=1", false)
		})
	}
}

// BenchmarkReadMiss is BenchmarkRead with the cache out of play (as while
// no feed vouches for it): every read is a lookup in the real SQLite file.
func BenchmarkReadMiss(b *testing.B) {
	for _, bc := range readCases {
		b.Run(bc.name, func(b *testing.B) {
			benchRead(b, bc.path, true)
		})
	}
}

func benchRead(b *testing.B, path string, miss bool) {
	w := demotest.New(b)
	h := withMetrics(w, slog.New(logbuf.NewTextHandler(io.Discard, nil)))
	if miss {
		w.Cache.Distrust()
	}
	r := httptest.NewRequest("GET", path, nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code >= 500 {
			b.Fatalf("GET %s: %d", path, rec.Code)
		}
	}
}

// BenchmarkWrite measures a PUT that creates an id and the DELETE that
// retires it, through the handler into the real SQLite file (each one a
// synced commit): the writes the cache must not slow down.
func BenchmarkWrite(b *testing.B) {
	w := demotest.New(b)
	h := withMetrics(w, slog.New(slog.DiscardHandler))
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		id := fmt.Sprintf("/api/promotions/bench-%d", i)
		put := httptest.NewRequest("PUT", id, strings.NewReader(`{"name":"bench","n":1}`))
		put.Header.Set("Authorization", "Bearer "+demotest.AdminToken)
		put.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, put)
		if rec.Code != http.StatusCreated {
			b.Fatalf("PUT: %d %s", rec.Code, rec.Body)
		}
		del := httptest.NewRequest("DELETE", id, nil)
		del.Header.Set("Authorization", "Bearer "+demotest.AdminToken)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, del)
		if rec.Code != http.StatusOK {
			b.Fatalf("DELETE: %d %s", rec.Code, rec.Body)
		}
	}
}

// withMetrics is w's API behind the edge, both counting into one
// registry, as gone serve mounts them, with log as the request log.
func withMetrics(w *demotest.World, log *slog.Logger) http.Handler {
	reg := prometheus.NewRegistry()
	return edge.Handler(w.API(log, httpapi.WithMetrics(reg)), edge.Config{Log: log, Metrics: metrics.NewHTTP(reg)})
}

// BenchmarkAuth measures the same live GET by who asks: anonymous (no
// lookup), a bootstrap token (constant-time compare in memory) and a
// stored token (one indexed lookup by hash per request, the price of
// revocation that takes effect at once).
func BenchmarkAuth(b *testing.B) {
	// Unchecked: the contract checker's validation would dwarf what is
	// measured.
	e := newUncheckedEnv(&testing.T{})
	stored := e.createToken(`{"name":"bench","scopes":["read"]}`)
	for _, bc := range []struct{ name, token string }{
		{"anonymous", ""},
		{"bootstrap", readerToken},
		{"stored", stored},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/api/users/42", nil)
			if bc.token != "" {
				r.Header.Set("Authorization", "Bearer "+bc.token)
			}
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				e.h.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkBareNetHTTP is bench/cmd/baseline's handler through the same
// recorder: BenchmarkRead minus this is what gone adds to a request.
func BenchmarkBareNetHTTP(b *testing.B) {
	body := []byte(`{"name":"User 0012345","email":"u12345@example.com"}`)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/{collection}/{id}", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-cache")
		h.Set("Etag", `"1"`)
		w.Write(body)
	})
	r := httptest.NewRequest("GET", "/api/users/42", nil)
	b.ReportAllocs()
	for b.Loop() {
		mux.ServeHTTP(httptest.NewRecorder(), r)
	}
}
