package proxy_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/proxy"
	"github.com/gonehttp/gone/rulefile"
)

// The content every upstream serves. The markers must never come back
// through gone, however the path is spelled.
const (
	secretMarker = "SECRET-7f3a: the retired data"
	oldMarker    = "OLD-PAGE-51c9: the retired page"
	publicMarker = "PUBLIC-0b2d: still served"
)

var upstreamFiles = map[string]string{
	"secret/data.txt":   secretMarker + "\n",
	"old.html":          "<!doctype html><title>old</title>" + oldMarker + "\n",
	"public/ok.txt":     publicMarker + "\n",
	"public/index.html": "<!doctype html><title>public</title>" + publicMarker + "\n",
}

// The gone list, as an nginx site would have had it.
const spellingRules = `
location ^~ /secret/ { return 410; }
location = /old.html { return 410; }
`

// spellings are request targets for the retired paths, as written on the
// wire. byGone: some common upstream reads it as a retired path (or gone
// refuses the spelling outright), so gone must answer it itself (400 or
// 410, problem+json); the others (other case, another file) may reach the
// upstream, which must not serve the retired content for them either.
var spellings = []struct {
	target string
	byGone bool
}{
	// The four spellings of issue 16, each of which Tomcat 10.1 served.
	{"/secret;x/data.txt", true},
	{"/public/..;/secret/data.txt", true},
	{"/old.html;x", true},
	{"/secret%3Bx/data.txt", true},

	{"/secret/data.txt", true},
	{"/secret/data.txt?x=1", true},
	{"/secret/", true},
	{"/secret/data.txt/", true},
	{"http://site.example/secret;x/data.txt", true},

	// ";" path parameters, raw and escaped, in each segment.
	{"/secret;/data.txt", true},
	{"/secret;jsessionid=0123ABCD/data.txt", true},
	{"/secret;x=1;y=2/data.txt", true},
	{"/secret;x/data.txt;y", true},
	{"/secret/data.txt;x", true},
	{"/secret/data.txt;", true},
	{"/secret/data.txt;x=1/", true},
	{"/secret/;x/data.txt", true},
	{"/;x/secret/data.txt", true},
	{"/;/secret/data.txt", true},
	{"/secret%3b/data.txt", true},
	{"/secret%3B/data.txt", true},
	{"/secret%3bjsessionid=1/data.txt", true},
	{"/secret/data.txt%3Bx", true},
	{"/secret%3Bx%3Dy/data.txt", true},
	{"/old.html;", true},
	{"/old.html;jsessionid=0123ABCD", true},
	{"/old.html;x=1;y=2", true},
	{"/old.html%3B", true},
	{"/old.html%3bx", true},
	{"/old.html;x/", false}, // "/old.html/" to Tomcat: another path
	{"/old.html;x?y=1", true},
	{"/;x/old.html", true},
	{"/public;x/../old.html", true},

	// "..;" and its escaped forms: a dot segment to a Servlet container.
	{"/public/..;x/secret/data.txt", true},
	{"/public/..;x=1;y/secret/data.txt", true},
	{"/public/%2e%2e;/secret/data.txt", true},
	{"/public/%2E%2E;x/secret/data.txt", true},
	{"/public/.%2e;/secret/data.txt", true},
	{"/public/..%3B/secret/data.txt", true},
	{"/public/..%3bx/secret/data.txt", true},
	{"/public/%2e%2e%3b/secret/data.txt", true},
	{"/public/.;/../secret/data.txt", true},
	{"/public/x/..;/..;/secret/data.txt", true},
	{"/public/..;/..;/..;/secret/data.txt", true},
	{"/public/..;/old.html", true},
	{"/x;/..;/old.html", true},
	{"/public/..;/secret;x/data.txt", true},

	// Dot segments, plain and escaped.
	{"/public/../secret/data.txt", true},
	{"/public/./../secret/data.txt", true},
	{"/public/%2e%2e/secret/data.txt", true},
	{"/public/%2E%2E/secret/data.txt", true},
	{"/public/.%2e/secret/data.txt", true},
	{"/public/%2e./secret/data.txt", true},
	{"/../secret/data.txt", true},
	{"/../../../secret/data.txt", true},
	{"/./secret/data.txt", true},
	{"/%2e/secret/data.txt", true},
	{"/secret/./data.txt", true},
	{"/secret/%2e/data.txt", true},
	{"/secret/x/../data.txt", true},
	{"/public/../old.html", true},
	{"/./old.html", true},

	// Doubled slashes.
	{"//secret/data.txt", true},
	{"/secret//data.txt", true},
	{"///secret///data.txt", true},
	{"//old.html", true},

	// Needless escapes of unreserved characters.
	{"/%73ecret/data.txt", true},
	{"/secret/%64ata.txt", true},
	{"/secret/data%2etxt", true},
	{"/secret/data%2Etxt", true},
	{"/%73%65%63%72%65%74/%64%61%74%61%2e%74%78%74", true},
	{"/%6fld.html", true},
	{"/old%2ehtml", true},

	// Refused outright: escaped slashes, backslashes, NUL.
	{"/secret%2fdata.txt", true},
	{"/secret%2Fdata.txt", true},
	{"/%2Fsecret/data.txt", true},
	{"/public%2f..%2fsecret/data.txt", true},
	{`/secret\data.txt`, true},
	{`/public\..\secret\data.txt`, true},
	{"/secret%5cdata.txt", true},
	{"/public%5C..%5Csecret%5Cdata.txt", true},
	{"/secret/data.txt%00", true},
	{"/secret%00/data.txt", true},
	{"/secret/data.txt%00.html", true},
	{"/old.html%00", true},
	{"/old.html%00.txt", true},

	// Other case: another path on every upstream tested here (their file
	// systems are case-sensitive); they must not serve the secret.
	{"/SECRET/data.txt", false},
	{"/Secret/data.txt", false},
	{"/secret/DATA.TXT", false},
	{"/%53ecret/data.txt", false},
	{"/OLD.html", false},
	{"/old.HTML", false},
	{"/Old.html;x", false},

	// Other files (not retired): whatever the upstream does, never the
	// retired content.
	{"/secret", false},
	{"/old.html/", false},
	{"/old.html.bak", false},
	{"/old.htm", false},
	{"/secretx/data.txt", false},
	{"/secret%20/data.txt", false},
	{"/secret%25/data.txt", false},
	{"/secret%253B/data.txt", false},
}

// TestRetiredPathsNeverReachUpstreams puts gone (proxy.New with a gone
// list imported from nginx syntax) in front of real servers of each family
// and asks for the retired paths in every spelling of the table: the
// retired content never comes back.
func TestRetiredPathsNeverReachUpstreams(t *testing.T) {
	t.Parallel()
	families := []struct {
		name  string
		start func(*testing.T, map[string]string) string
		// leaks are spellings this upstream serves the retired content
		// for when asked directly: proof that the table tests something
		// real there.
		leaks []string
	}{
		{"tomcat", startTomcat, []string{"/secret;x/data.txt", "/public/..;/secret/data.txt", "/old.html;x", "/secret/data.txt;jsessionid=1"}},
		{"nginx", startNginx, []string{"/public/%2e%2e/secret/data.txt", "/secret//data.txt"}},
		{"apache", startApache, []string{"/%73ecret/data.txt", "/secret//data.txt"}},
		{"go", startGoFileServer, []string{"/secret/data.txt"}},
	}
	for _, fam := range families {
		t.Run(fam.name, func(t *testing.T) {
			t.Parallel()
			up := fam.start(t, upstreamFiles)
			for _, target := range fam.leaks {
				if _, body := raw(t, up, "GET", target, nil); !strings.Contains(body, secretMarker) && !strings.Contains(body, oldMarker) {
					t.Errorf("%s asked directly for %s: the retired content did not come back, so this upstream does not read the spelling as the test assumes; body %.200q", fam.name, target, body)
				}
			}
			front := spellingFront(t, up)
			if resp, body := raw(t, front, "GET", "/public/ok.txt", nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, publicMarker) {
				t.Fatalf("GET /public/ok.txt through gone to %s: status %d, body %.200q; want 200 with the public file", fam.name, resp.StatusCode, body)
			}
			direct := 0
			for _, sp := range spellings {
				if _, body := raw(t, up, "GET", sp.target, nil); strings.Contains(body, secretMarker) || strings.Contains(body, oldMarker) {
					direct++
				}
				resp, body := raw(t, front, "GET", sp.target, nil)
				if strings.Contains(body, secretMarker) || strings.Contains(body, oldMarker) {
					t.Errorf("GET %s through gone to %s: status %d with the retired content", sp.target, fam.name, resp.StatusCode)
					continue
				}
				if resp.StatusCode < 300 {
					t.Errorf("GET %s through gone to %s: status %d, want no success for a retired path", sp.target, fam.name, resp.StatusCode)
				}
				byGone := strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json")
				if sp.byGone && (!byGone || resp.StatusCode != http.StatusGone && resp.StatusCode != http.StatusBadRequest) {
					t.Errorf("GET %s through gone to %s: status %d (%s), want gone's own 410 or 400", sp.target, fam.name, resp.StatusCode, resp.Header.Get("Content-Type"))
				}
			}
			t.Logf("%s: %d of %d spellings serve the retired content when asked directly; none through gone", fam.name, direct, len(spellings))
		})
	}
}

// spellingFront is gone's proxy in front of up, with the gone list of
// spellingRules imported over a fresh SQLite store.
func spellingFront(t *testing.T, up string) string {
	t.Helper()
	ctx := context.Background()
	res, err := rulefile.Read(rulefile.FormatNginx, strings.NewReader(spellingRules))
	if err != nil || len(res.Refused) > 0 || len(res.Rules) != 2 {
		t.Fatalf("reading the nginx gone list: %v, refused %v, %d rules; want 2", err, res.Refused, len(res.Rules))
	}
	svc := gone.NewService(stores["sqlite"](t), nil)
	if _, err := svc.SetRules(ctx, gone.Caller{Name: "test", Scopes: []gone.Scope{gone.ScopeAdmin}}, res.Rules, nil); err != nil {
		t.Fatalf("SetRules: %v", err)
	}
	rules, err := gonehttp.Load(ctx, svc, gonehttp.WithProblemBase("/_gone/problems/"))
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(up)
	return newServer(t, proxy.New(proxy.Config{Upstream: target, Rules: rules}))
}
