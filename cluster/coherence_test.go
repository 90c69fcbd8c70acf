package cluster_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestWriteOnOneInstanceIsSeenByTheOther is docs/design.md invariant 6 and
// issue 4 §3. The server has no read-path cache: every read of an id is one
// Store.Get inside Service.Decide, and every write commits in PostgreSQL
// before the instance answers 2xx. So coherence holds by construction: the
// other instance's next request reads the committed row, and there is
// nothing to invalidate (no LISTEN/NOTIFY needed). If a cache is ever added
// on the read path, this test fails until it is invalidated across
// instances.
func TestWriteOnOneInstanceIsSeenByTheOther(t *testing.T) {
	c := newCluster(t, 2)
	for _, roles := range [][2]*instance{{c[0], c[1]}, {c[1], c[0]}} {
		w, r := roles[0], roles[1]
		id := "coh-" + w.name
		path := "/api/users/" + id
		step := func(who *instance, method, p, body string, want int, fragment string) {
			t.Helper()
			got, b := call(t, who, method, p, body)
			if got != want || !strings.Contains(b, fragment) {
				t.Fatalf("%s %s on %s: %d %s; want %d with %q", method, p, who.name, got, b, want, fragment)
			}
		}
		step(w, "PUT", path, `{"v":1}`, http.StatusCreated, "")
		step(r, "GET", path, "", http.StatusOK, `{"v":1}`)
		step(r, "PUT", path, `{"v":2}`, http.StatusOK, "")
		step(w, "GET", path, "", http.StatusOK, `{"v":2}`)
		step(w, "DELETE", path, "", http.StatusOK, `"state":"deleted"`)
		step(r, "GET", path, "", http.StatusNotFound, "")                         // the resource URL: 404 for everyone
		step(r, "GET", path+"/lifecycle", "", http.StatusOK, `"state":"deleted"`) // the admin's trash view
		step(r, "POST", path+"/restore", "", http.StatusOK, `"state":"live"`)
		step(w, "GET", path, "", http.StatusOK, `{"v":2}`)
		step(w, "POST", path+"/move", `{"to":"`+id+`-new"}`, http.StatusOK, "")
		step(r, "GET", path, "", http.StatusPermanentRedirect, "")
		step(r, "GET", path+"-new", "", http.StatusOK, `{"v":2}`)
		step(r, "DELETE", path+"-new?permanent=true", "", http.StatusOK, `"state":"gone"`)
		step(w, "GET", path+"-new", "", http.StatusGone, "")
		step(w, "PUT", path+"-new", `{"v":3}`, http.StatusConflict, "")
	}
}
