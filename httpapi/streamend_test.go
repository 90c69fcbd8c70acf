package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gonehttp/gone/httpapi"
)

// call sends one request with token to a real server and returns the
// status and body.
func call(t *testing.T, method, url, token, body string) (int, []byte) {
	t.Helper()
	r, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// newStreamToken creates a named token through the server's API.
func newStreamToken(t *testing.T, url, body string) string {
	t.Helper()
	status, b := call(t, "POST", url+"/api/tokens", adminToken, body)
	var tok struct{ Secret string }
	if json.Unmarshal(b, &tok); status != http.StatusCreated || tok.Secret == "" {
		t.Fatalf("POST /api/tokens %s: %d %s", body, status, b)
	}
	return tok.Secret
}

// endOf waits for the stream's end event and returns its data.
func endOf(t *testing.T, ch <-chan sseEvent) map[string]string {
	t.Helper()
	for {
		ev := nextEvent(t, ch)
		if ev.event != "end" {
			continue
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(ev.data), &m); err != nil {
			t.Fatalf("end event data %q: %v", ev.data, err)
		}
		// And the stream is over.
		select {
		case _, open := <-ch:
			for open {
				_, open = <-ch
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the stream stayed open after its end event")
		}
		return m
	}
}

// Promise: an open stream's token is checked again at every keepalive (and
// at least once a minute): a revoked or expired token's stream ends with an
// end event saying which, and a stream ends at MaxLife.
func TestChangesStreamEndsWithItsToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		feed       httpapi.FeedSettings
		token      string // the token's creation body; "" for the bootstrap reader
		end        func(t *testing.T, url string, advance func(time.Duration))
		wantReason string
	}{
		{"revoked", httpapi.FeedSettings{Keepalive: 20 * time.Millisecond}, `{"name":"watcher","scopes":["read"]}`,
			func(t *testing.T, url string, _ func(time.Duration)) {
				if status, b := call(t, "DELETE", url+"/api/tokens/watcher", adminToken, ""); status != http.StatusOK {
					t.Fatalf("revoke: %d %s", status, b)
				}
			}, "revoked"},
		{"expired", httpapi.FeedSettings{Keepalive: 20 * time.Millisecond}, `{"name":"watcher","scopes":["read"],"expiresIn":"1h"}`,
			func(_ *testing.T, _ string, advance func(time.Duration)) { advance(2 * time.Hour) }, "expired"},
		{"past its life", httpapi.FeedSettings{Keepalive: 20 * time.Millisecond, MaxLife: 200 * time.Millisecond}, "",
			func(*testing.T, string, func(time.Duration)) {}, "lifetime"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w, srv := feedServer(t, c.feed)
			token := readerToken
			if c.token != "" {
				token = newStreamToken(t, srv.URL, c.token)
			}
			_, ch := openStream(t, srv.URL, "?since=now", token, nil)
			c.end(t, srv.URL, w.Clock.Add)
			if m := endOf(t, ch); m["reason"] != c.wantReason || m["message"] == "" {
				t.Errorf("end event = %v, want reason %q and a message", m, c.wantReason)
			}
		})
	}
}

// Promise: one token cannot take every stream an instance may hold; past
// MaxStreamsPerToken its stream request is a 429 with Retry-After, and
// other tokens still open theirs.
func TestChangesStreamsAreBoundedPerToken(t *testing.T) {
	t.Parallel()
	_, srv := feedServer(t, httpapi.FeedSettings{MaxStreamsPerToken: 2})
	other := newStreamToken(t, srv.URL, `{"name":"other","scopes":["read"]}`)
	openStream(t, srv.URL, "?since=now", readerToken, nil)
	openStream(t, srv.URL, "?since=now", readerToken, nil)
	r, _ := http.NewRequest("GET", srv.URL+"/api/changes?since=now", nil)
	r.Header.Set("Accept", "text/event-stream")
	r.Header.Set("Authorization", "Bearer "+readerToken)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a third stream of one token: %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	openStream(t, srv.URL, "?since=now", other, nil) // fails the test unless 200
}

// Promise: a request with several Authorization headers is refused with
// 400, whichever of them is valid and in whatever order: none silently wins.
func TestSeveralAuthorizationHeadersAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, values := range [][]string{
		{"Bearer " + adminToken, "Bearer wrong"},
		{"Bearer wrong", "Bearer " + adminToken},
		{"Bearer " + readerToken, "Bearer " + adminToken},
		{"Bearer " + adminToken, ""},
	} {
		r := httptest.NewRequest("GET", "/api/users/123/lifecycle", nil)
		r.Header["Authorization"] = values
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		if w.Code != http.StatusBadRequest || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("Authorization %q: %d %s, want a 400 problem", values, w.Code, w.Header().Get("Content-Type"))
		}
	}
}
