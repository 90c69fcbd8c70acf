package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/demotest"
	"github.com/gonehttp/gone/readcache"
)

// The read cache is where gone serve keeps the API's answers.
var _ httpapi.Memos = (*readcache.Store)(nil)

// answerText is a response as the client sees it, but for the headers that
// differ between any two answers (the request id).
func answerText(w *httptest.ResponseRecorder) string {
	h := w.Result().Header.Clone()
	h.Del("X-Request-Id")
	var b strings.Builder
	h.Write(&b)
	return http.StatusText(w.Code) + "\n" + b.String() + "\n" + w.Body.String()
}

// memoOf reports whether the read cache holds a memo beside the id.
func (e *env) memoOf(collection, id string) bool {
	m, _, _ := e.world.Cache.Memo(collection, id)
	return m != nil
}

// TestMemoAnswersAsTheChainDid checks that an anonymous read answered from
// a memo is byte for byte the answer of the full path, for every state,
// language and method.
func TestMemoAnswersAsTheChainDid(t *testing.T) {
	e := newEnv(t)
	paths := []string{"/api/users/42", "/api/users/123", "/api/users/999", "/api/promotions/summer-sale-2025",
		"/api/promotions/current", "/api/promotions/winter-sale-2026", "/api/accounts/7"}
	for _, p := range paths {
		for _, method := range []string{"GET", "HEAD"} {
			for _, lng := range []string{"", "es-ES,es;q=0.9"} {
				r := req{method: method, path: p, header: map[string]string{}}
				if lng != "" {
					r.header["Accept-Language"] = lng
				}
				// The first read caches the record, the second keeps
				// its answer, the third is the replay.
				first := e.do(r)
				e.do(r)
				coll, id, _ := strings.Cut(strings.TrimPrefix(p, "/api/"), "/")
				if !e.memoOf(coll, id) && first.Code != http.StatusUnauthorized {
					t.Fatalf("%s %s: no memo kept after a %d", method, p, first.Code)
				}
				third := e.do(r)
				if a, b := answerText(first), answerText(third); a != b {
					t.Errorf("%s %s (%q): replayed answer differs\nfirst:\n%s\nreplayed:\n%s", method, p, lng, a, b)
				}
			}
		}
	}
}

// TestMemoNeverOutlivesAWrite checks that a write drops the memo before it
// is acknowledged: the next read answers the new state.
func TestMemoNeverOutlivesAWrite(t *testing.T) {
	e := newEnv(t)
	e.get("/api/users/42")
	if w := e.get("/api/users/42"); !strings.Contains(w.Body.String(), "Ada") || !e.memoOf("users", "42") {
		t.Fatalf("setup: %d %s", w.Code, w.Body.String())
	}
	must(t, e.admin("PUT", "/api/users/42", `{"name":"Ada King"}`), 200, "put")
	if w := e.get("/api/users/42"); !strings.Contains(w.Body.String(), "Ada King") || w.Header().Get("ETag") == "" {
		t.Fatalf("after a PUT: %d %s", w.Code, w.Body.String())
	}
	must(t, e.admin("DELETE", "/api/users/42", ""), 200, "soft delete")
	must(t, e.get("/api/users/42"), 404, "read after a soft delete")
	must(t, e.admin("POST", "/api/users/42/restore", ""), 200, "restore")
	must(t, e.get("/api/users/42"), 200, "read after a restore")
	must(t, e.admin("DELETE", "/api/users/42?permanent=true", ""), 200, "permanent delete")
	must(t, e.get("/api/users/42"), 410, "read after a permanent delete")
}

// TestMemoEndsAtTheSecond checks that a memo of a live resource with an
// expiry is not sent at or after that instant.
func TestMemoEndsAtTheSecond(t *testing.T) {
	e := newEnv(t)
	expiry := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	e.clock.Add(expiry.Sub(demotest.Now) - time.Second)
	must(t, e.get("/api/promotions/winter-sale-2026"), 200, "a second before the expiry")
	must(t, e.get("/api/promotions/winter-sale-2026"), 200, "replayed a second before the expiry")
	if !e.memoOf("promotions", "winter-sale-2026") {
		t.Fatal("no memo kept")
	}
	e.clock.Add(time.Second)
	must(t, e.get("/api/promotions/winter-sale-2026"), 410, "at the expiry")
}

// TestMemoOnlyForPlainReads checks that requests whose answer depends on
// more than the id and the language are answered by the full chain even
// when a memo is kept: credentials, preconditions, CORS, a query.
func TestMemoOnlyForPlainReads(t *testing.T) {
	e := newEnv(t)
	plain := e.get("/api/users/42")
	if e.memoOf("users", "42") {
		t.Error("the first read of an id kept its answer: a sweep of ids read once would fill memory")
	}
	e.get("/api/users/42")
	etag := plain.Header().Get("ETag")
	must(t, e.do(req{path: "/api/users/42", header: map[string]string{"If-None-Match": etag}}), 304, "If-None-Match")
	if w := e.do(req{path: "/api/users/42", token: readerToken}); !strings.HasPrefix(w.Header().Get("Cache-Control"), "private") {
		t.Errorf("a reader's answer is not private: %q", w.Header().Get("Cache-Control"))
	}
	// The soft-deleted and the concealed answer for an admin stay the
	// admin's: a memo is the public's only.
	must(t, e.admin("DELETE", "/api/users/42", ""), 200, "soft delete")
	e.get("/api/users/42")
	e.get("/api/users/42")
	if w := e.do(req{path: "/api/users/42/lifecycle", token: adminToken}); w.Code != 200 {
		t.Errorf("lifecycle: %d", w.Code)
	}
	if w := e.do(req{path: "/api/users/123?x=1"}); w.Code != 410 {
		t.Errorf("with a query: %d", w.Code)
	}
}

// TestMemoCounted checks that a replayed read is counted as every read is
// (request, route, status, decision) and as a replay.
func TestMemoCounted(t *testing.T) {
	e, reg := newMetricsEnv(t)
	for range 4 {
		must(t, e.get("/api/users/123"), 410, "read")
	}
	if got := counter(t, reg, "gone_decisions_total", "answer", "gone"); got != 4 {
		t.Errorf("gone_decisions_total{answer=gone} = %v, want 4", got)
	}
	if got := counter(t, reg, "gone_http_requests_total", "route", "GET /api/{collection}/{id}", "status", "410"); got != 4 {
		t.Errorf("gone_http_requests_total{route=GET /api/{collection}/{id},status=410} = %v, want 4", got)
	}
	if got := counter(t, reg, "gone_http_replayed_total"); got != 2 {
		t.Errorf("gone_http_replayed_total = %v, want 2 (the third and fourth reads)", got)
	}
}

// TestMemoNoStaleReadAfterAck races anonymous readers, which keep and
// replay answers, against a writer: once a PUT is acknowledged, no read
// that starts after it may answer an older version.
func TestMemoNoStaleReadAfterAck(t *testing.T) {
	e := newUncheckedEnv(t)
	read := func() int {
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, httptest.NewRequest("GET", "/api/users/42", nil))
		var v struct{ N int }
		json.Unmarshal(w.Body.Bytes(), &v)
		return v.N
	}
	var acked atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				floor := acked.Load()
				if n := read(); int64(n) < floor {
					t.Errorf("read n=%d after the PUT of n=%d was acknowledged", n, floor)
					return
				}
			}
		})
	}
	for n := 1; n <= 40; n++ {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("PUT", "/api/users/42", strings.NewReader(fmt.Sprintf(`{"n":%d}`, n)))
		r.Header.Set("Authorization", "Bearer "+adminToken)
		r.Header.Set("Content-Type", "application/json")
		e.h.ServeHTTP(w, r)
		if w.Code != 200 {
			t.Fatalf("PUT n=%d: %d %s", n, w.Code, w.Body.String())
		}
		acked.Store(int64(n))
	}
	close(done)
	wg.Wait()
	// The readers' loop keeps answers as this does: the first read after
	// a write caches the record, the second keeps its answer.
	read()
	if read() != 40 || !e.memoOf("users", "42") {
		t.Error("no answer kept for users/42: the race above did not exercise replays")
	}
}
