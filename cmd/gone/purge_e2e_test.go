package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// purgeBound is how soon after a write a cache must stop serving the old
// answer.
const purgeBound = time.Second

const purgeAdmin = "purge-admin-token"

// front is a cache in front of a gone front door, and gone's admin API.
type front struct {
	t     *testing.T
	cache string // http://host:port of the cache
	admin string // base URL of gone's admin API (serve: /, proxy: /_gone)
	api   string // base URL gone's resources or rules are written through
	httpc *http.Client
}

func (e *front) call(method, url, body string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+purgeAdmin)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.httpc.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// get reads path through the cache as the public does.
func (e *front) get(path string) (int, string) {
	e.t.Helper()
	resp, err := e.httpc.Get(e.cache + path)
	if err != nil {
		e.t.Fatalf("GET %s via the cache: %v", path, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Cache")
}

// cached reads path twice through the cache and checks that the second
// answer is status and came from the cache.
func (e *front) cached(path string, status int) {
	e.t.Helper()
	e.get(path)
	got, hit := e.get(path)
	// A purge can land again after the cache stored the new answer (a
	// delivery retried because its first attempt timed out under load,
	// though the cache had acted on it): the next read stores it again.
	// What must hold is that every read answers status and that the cache
	// keeps it.
	for deadline := time.Now().Add(2 * time.Second); got == status && hit != "HIT" && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		e.get(path)
		got, hit = e.get(path)
	}
	if got != status || hit != "HIT" {
		resp, err := e.httpc.Get(e.cache + path)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			e.t.Logf("%s: %d %v %s", path, resp.StatusCode, resp.Header, b)
		}
		e.t.Fatalf("GET %s via the cache, twice: %d %s; want %d from the cache (HIT)", path, got, hit, status)
	}
}

// becomes waits until the cache answers path with status, and fails if
// that takes longer than purgeBound after the write at start.
func (e *front) becomes(what, path string, status int, start time.Time) time.Duration {
	e.t.Helper()
	for {
		got, _ := e.get(path)
		took := time.Since(start)
		if got == status {
			if took > purgeBound {
				e.t.Errorf("%s: the cache answered %d after %v, want within %v", what, status, took, purgeBound)
			}
			return took
		}
		if took > 5*time.Second {
			_, log := e.call("GET", e.admin+"/webhooks/cache", "")
			e.t.Logf("subscription: %s", log)
			e.t.Fatalf("%s: the cache still answers %d for %s after %v, want %d", what, got, path, took, status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *front) subscribe(kind, purgePath string) {
	e.t.Helper()
	if code, body := e.call("POST", e.admin+"/webhooks", `{"name":"cache","kind":"`+kind+`","url":"`+e.cache+purgePath+`"}`); code != 201 {
		e.t.Fatalf("POST /webhooks: %d %s", code, body)
	}
}

// caches are the two purge targets, each started in front of a backend.
var caches = []struct {
	kind      string
	start     func(t *testing.T, backend string) string
	purgePath string // where the cache takes purges
}{
	{"varnish", startVarnish, ""},
	{"varnish-ban", startVarnish, ""},
	{"nginx", startNginxPurge, "/_purge"},
}

// TestPurgeInFrontOfServe puts Varnish and nginx in front of gone serve:
// a delete turns the cached 200 into the 410, a restore and a re-create
// turn the cached 404 into the 200, each within purgeBound.
func TestPurgeInFrontOfServe(t *testing.T) {
	if testing.Short() {
		t.Skip("starts cache servers")
	}
	for _, c := range caches {
		t.Run(c.kind, func(t *testing.T) {
			t.Parallel()
			vars := map[string]string{"GONE_ADMIN_TOKEN": purgeAdmin}
			addr := startGone(t, vars, "serve", "--demo", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "g.db"), "--webhooks-poll", "20ms")
			cache := "http://" + c.start(t, addr)
			e := &front{t: t, cache: cache, admin: "http://" + addr, api: "http://" + addr + "/api", httpc: &http.Client{Timeout: 5 * time.Second}}
			e.subscribe(c.kind, c.purgePath)

			// A delete: promotions deletes permanently (410).
			e.call("PUT", e.api+"/promotions/spring", `{"n":1}`)
			e.cached("/api/promotions/spring", 200)
			start := time.Now()
			if code, body := e.call("DELETE", e.api+"/promotions/spring", ""); code != 200 {
				t.Fatalf("DELETE: %d %s", code, body)
			}
			took := e.becomes("delete", "/api/promotions/spring", 410, start)
			e.cached("/api/promotions/spring", 410)
			t.Logf("%s: cached 200 -> 410 in %v", c.kind, took)

			// A restore: users keeps deletes in the trash (404).
			e.call("PUT", e.api+"/users/ada", `{"n":1}`)
			e.call("DELETE", e.api+"/users/ada", "")
			e.becomes("soft delete", "/api/users/ada", 404, time.Now())
			e.cached("/api/users/ada", 404)
			start = time.Now()
			if code, body := e.call("POST", e.api+"/users/ada/restore", ""); code != 200 {
				t.Fatalf("restore: %d %s", code, body)
			}
			took = e.becomes("restore", "/api/users/ada", 200, start)
			t.Logf("%s: cached 404 -> 200 after a restore in %v", c.kind, took)

			// A create where the cache holds a never-existed 404.
			e.cached("/api/users/grace", 404)
			start = time.Now()
			if code, body := e.call("PUT", e.api+"/users/grace", `{"n":1}`); code != 201 {
				t.Fatalf("create: %d %s", code, body)
			}
			took = e.becomes("create", "/api/users/grace", 200, start)
			t.Logf("%s: cached 404 -> 200 after a create in %v", c.kind, took)
		})
	}
}

// TestPurgeInFrontOfProxy puts Varnish and nginx in front of gone proxy:
// a rule that retires a path turns its cached 200 into the 410, and
// clearing a removed path's rule turns its cached 404 back into the
// upstream's 200.
func TestPurgeInFrontOfProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts cache servers")
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=600")
		io.WriteString(w, "page "+r.URL.Path)
	}))
	t.Cleanup(upstream.Close) // after the parallel subtests
	for _, c := range caches {
		t.Run(c.kind, func(t *testing.T) {
			t.Parallel()
			vars := map[string]string{"GONE_ADMIN_TOKEN": purgeAdmin}
			addr := startGone(t, vars, "proxy", "--addr", "127.0.0.1:0", "--upstream", upstream.URL,
				"--db", filepath.Join(t.TempDir(), "g.db"), "--webhooks-poll", "20ms", "--rules-poll", "20ms")
			cache := "http://" + c.start(t, addr)
			e := &front{t: t, cache: cache, admin: "http://" + addr + "/_gone", api: "http://" + addr + "/_gone", httpc: &http.Client{Timeout: 5 * time.Second}}
			e.subscribe(c.kind, c.purgePath)

			e.cached("/blog/2019/hello", 200)
			start := time.Now()
			if code, body := e.call("POST", e.admin+"/rules", `{"path":"/blog/2019/hello","action":"gone","reason":"Retired"}`); code != 201 {
				t.Fatalf("POST /rules: %d %s", code, body)
			}
			took := e.becomes("rule gone", "/blog/2019/hello", 410, start)
			e.cached("/blog/2019/hello", 410)
			t.Logf("%s: cached 200 -> 410 under the proxy in %v", c.kind, took)
			// The proxy lists the retired path for search engines.
			resp, err := e.httpc.Get("http://" + addr + "/sitemap-removed.xml")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if want := "<loc>http://" + addr + "/blog/2019/hello</loc><lastmod>" + start.UTC().Format("2006-01-02T"); resp.StatusCode != 200 || !strings.Contains(string(b), want) {
				t.Errorf("GET /sitemap-removed.xml from the proxy: %d\n%s\nwant it to hold %s", resp.StatusCode, b, want)
			}

			// A removed path (404, restorable) comes back when its rule
			// is cleared: the cached 404 turns into the upstream's 200.
			e.cached("/blog/draft", 200)
			if code, body := e.call("POST", e.admin+"/rules", `{"path":"/blog/draft","action":"removed"}`); code != 201 {
				t.Fatalf("POST /rules: %d %s", code, body)
			}
			e.becomes("rule removed", "/blog/draft", 404, time.Now())
			e.cached("/blog/draft", 404)
			start = time.Now()
			if code, body := e.call("DELETE", e.admin+"/rules?path=/blog/draft", ""); code != 200 {
				t.Fatalf("DELETE /rules: %d %s", code, body)
			}
			took = e.becomes("rule cleared", "/blog/draft", 200, start)
			t.Logf("%s: cached 404 -> 200 under the proxy in %v", c.kind, took)
		})
	}
}
