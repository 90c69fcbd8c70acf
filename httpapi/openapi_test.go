package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// openAPIDoc is the part of the document the tests read.
type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct{ Responses map[string]any }    `json:"components"`
}

type openAPIOperation struct {
	Responses map[string]json.RawMessage `json:"responses"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	return doc
}

// operation returns the documented statuses of method on path, or ok false.
func (d openAPIDoc) operation(t *testing.T, method, path string) (statuses []int, ok bool) {
	t.Helper()
	raw, ok := d.Paths[path][strings.ToLower(method)]
	if !ok {
		return nil, false
	}
	var op openAPIOperation
	if err := json.Unmarshal(raw, &op); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	for code := range op.Responses {
		n, err := strconv.Atoi(code)
		if err != nil {
			t.Errorf("%s %s: response key %q is not a status code", method, path, code)
			continue
		}
		statuses = append(statuses, n)
	}
	slices.Sort(statuses)
	return statuses, true
}

// anyRoute can be sent on every route: authenticate refuses a malformed,
// unknown, revoked or expired token (401), an address with too many failed
// authentications (429) and a token it could not check (503), and
// cleanPaths a non-canonical path (404), before the mux routes; the
// catch-all answers another method with 405; recoverPanics turns a panic
// into 500; the edge (gone serve's server) answers ambiguous framing with
// 400 or 501, an overlong target with 414 and overlong headers with 431.
var anyRoute = []int{400, 401, 404, 405, 414, 429, 431, 500, 501, 503}

// routeStatuses is what each handler can send beyond anyRoute, read off
// the handlers and the error codes of the Service calls they make (codeStatus
// maps codes to statuses). "admin" routes add 401 and 403 from requireAdmin.
var routeStatuses = map[string][]int{
	// handleList: 400 for limit, cursor or state; 403 for a reader asking
	// for the trash; 503 if the store is unavailable.
	"GET /api":              {200},
	"GET /api/{collection}": {200, 400, 403, 503},
	// handleCreate: readObject (400, 413, 415), Service.Put (409, 503).
	"POST /api/{collection}": {201, 400, 403, 409, 413, 415, 503},
	// handleRead: writeDecision's table, conditional GET, invalid id.
	// handleBatch: unreadable body (400), too many rows or bytes (413),
	// media type (415); per-row failures are inside the 200.
	"POST /api/{collection}/_batch": {200, 400, 403, 413, 415},
	"GET /api/{collection}/{id}":    {200, 304, 308, 400, 403, 410, 503},
	"PUT /api/{collection}/{id}":    {200, 201, 400, 403, 409, 412, 413, 415, 503},
	"PATCH /api/{collection}/{id}":  {200, 400, 403, 409, 410, 412, 413, 415, 503},
	// handleDelete: bad permanent/reason/alternative (400), already gone (410).
	// Every write evaluates preconditions (412).
	"DELETE /api/{collection}/{id}":          {200, 400, 403, 410, 412, 503},
	"POST /api/{collection}/{id}/restore":    {200, 400, 403, 409, 410, 412, 503},
	"POST /api/{collection}/{id}/move":       {200, 400, 403, 409, 410, 412, 413, 415, 503},
	"GET /api/{collection}/{id}/lifecycle":   {200, 400, 403, 503},
	"PATCH /api/{collection}/{id}/lifecycle": {200, 400, 403, 409, 412, 413, 415, 503},
	"GET /api/audit":                         {200, 400, 403, 503},
	"GET /api/explain":                       {200, 400, 403, 503},
	// handleChanges: bad since/limit/collection (400), a concealed
	// collection for a reader (403), unknown collection (404, in
	// anyRoute), the log unreadable (503).
	"GET /api/changes": {200, 400, 403, 503},
	// The token routes: Service.ListTokens, CreateToken (400 for a bad
	// field, 409 for a name in use, decodeStrict's 413 and 415) and
	// RevokeToken (404 unknown, 410 already revoked).
	"GET /api/tokens":           {200, 403},
	"POST /api/tokens":          {201, 400, 403, 409, 413, 415},
	"DELETE /api/tokens/{name}": {200, 403, 410},
	// The webhook subscriptions (webhooks.go): strict bodies (413, 415),
	// taken names (409), admin of every collection (403).
	"GET /webhooks":            {200, 403},
	"POST /webhooks":           {201, 403, 409, 413, 415},
	"GET /webhooks/{name}":     {200, 403},
	"PATCH /webhooks/{name}":   {200, 403, 413, 415},
	"DELETE /webhooks/{name}":  {204, 403},
	"GET /sitemap.xml":         {200},
	"GET /sitemap-removed.xml": {200},
	// The rules API: SetRules' codes (400 invalid, 404 clearing no rule,
	// 409 a path that answered 410), the body limits (413, 415); a bad
	// limit or cursor of the listing (400).
	"GET /rules":         {200, 400, 403, 503},
	"POST /rules":        {200, 201, 400, 403, 409, 413, 415, 503},
	"DELETE /rules":      {200, 400, 403, 409, 503},
	"POST /rules/import": {200, 400, 403, 409, 413, 415, 503},
	"GET /rules/explain": {200, 403, 503},
	"GET /rules/export":  {200, 400, 403, 503},
	// The 404 inbox: the admin checks of inbox.Inbox (403), an entry or
	// pattern that is not there or no inbox at all (404, in anyRoute),
	// SetRule's codes for gone and redirect (400, 409), decodeStrict's
	// 413 and 415, a pattern stored already (409), the store (503).
	"GET /inbox":            {200, 400, 403, 503},
	"DELETE /inbox":         {204, 403, 503},
	"GET /inbox/entry":      {200, 403, 503},
	"POST /inbox/gone":      {200, 400, 403, 409, 413, 415, 503},
	"POST /inbox/redirect":  {200, 400, 403, 409, 413, 415, 503},
	"GET /inbox/ignores":    {200, 403, 503},
	"POST /inbox/ignores":   {201, 400, 403, 409, 413, 415, 503},
	"DELETE /inbox/ignores": {204, 403, 503},
	"GET /problems/{name}":  {200},
	"GET /healthz":          {200},
	"GET /readyz":           {200, 503},
	"GET /openapi.json":     {200},
	"GET /{$}":              {200},
	"GET /admin/":           {200, 304},
	"GET /metrics":          {200, 401, 403},
}

func init() {
	// handleOptions: 204 (preflight allowed, or Allow), 403 (preflight
	// refused), on every route's path.
	for key := range routeStatuses {
		_, pattern, _ := strings.Cut(key, " ")
		routeStatuses["OPTIONS "+pattern] = []int{204, 403}
	}
}

// testRoutes returns the route table of a server with every option on.
func testRoutes(t *testing.T) []route {
	t.Helper()
	s := &server{prefix: "/api"}
	WithMetrics(prometheus.NewRegistry())(s)
	s.addRoutes(http.NewServeMux())
	if len(s.routes) == 0 {
		t.Fatal("addRoutes registered no routes")
	}
	return s.routes
}

func TestOpenAPIHasEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	routes := testRoutes(t)
	known := map[string]bool{}
	for _, rt := range routes {
		key := rt.method + " " + rt.pattern
		// OpenAPI has no "{$}": its "/" is an exact path already.
		path := strings.TrimSuffix(rt.pattern, "{$}")
		known[rt.method+" "+path] = true
		want, ok := routeStatuses[key]
		if !ok {
			t.Errorf("route %s is not in routeStatuses: read its handler and list what it can send", key)
		}
		// ServeMux answers HEAD with every GET pattern (RFC 9110 §9.3.2:
		// the GET's status and headers, no body), so the document states
		// a HEAD operation beside each GET, with the same statuses.
		methods := []string{rt.method}
		if rt.method == http.MethodGet {
			methods = append(methods, http.MethodHead)
			known[http.MethodHead+" "+path] = true
		}
		for _, m := range methods {
			checkStatuses(t, doc, m, path, want)
		}
	}
	// And nothing documented that the server does not serve. A subtree
	// pattern ("/admin/") serves every path under it, and ServeMux
	// redirects its bare path ("/admin") to it.
	served := func(method, path string) bool {
		if known[method+" "+path] {
			return true
		}
		for _, rt := range routes {
			subtree := strings.HasSuffix(rt.pattern, "/") && rt.pattern != "/"
			if subtree && (rt.method == method || rt.method == http.MethodGet && method == http.MethodHead) &&
				(strings.HasPrefix(path, rt.pattern) || path == strings.TrimSuffix(rt.pattern, "/")) {
				return true
			}
		}
		return false
	}
	for path, item := range doc.Paths {
		for method := range item {
			if method == "parameters" {
				continue
			}
			if !served(strings.ToUpper(method), path) {
				t.Errorf("openapi.json documents %s %s, which routes.go does not serve", strings.ToUpper(method), path)
			}
		}
	}
	for key := range routeStatuses {
		if !known[strings.TrimSuffix(key, "{$}")] {
			t.Errorf("routeStatuses lists %s, which routes.go does not serve", key)
		}
	}
}

// checkStatuses fails unless method on pattern documents anyRoute and want.
func checkStatuses(t *testing.T, doc openAPIDoc, method, pattern string, want []int) {
	t.Helper()
	key := method + " " + pattern
	got, ok := doc.operation(t, method, pattern)
	if !ok {
		t.Errorf("openapi.json has no operation for %s", key)
		return
	}
	for _, code := range append(slices.Clone(anyRoute), want...) {
		if !slices.Contains(got, code) {
			t.Errorf("openapi.json: %s does not document %d (it documents %v)", key, code, got)
		}
	}
}

func TestOpenAPIReferencesResolve(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				var cur any = doc
				for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
					m, _ := cur.(map[string]any)
					cur = m[part]
				}
				if cur == nil {
					t.Errorf("$ref %s does not resolve", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
}

// A HEAD answers what its GET answers without the body (RFC 9110 §9.3.2),
// so its operation takes the same parameters and security and documents
// the same statuses; a parameter added to one alone is a drift.
func TestOpenAPIHeadMirrorsGet(t *testing.T) {
	type operation struct {
		Parameters json.RawMessage            `json:"parameters"`
		Security   json.RawMessage            `json:"security"`
		Responses  map[string]json.RawMessage `json:"responses"`
	}
	for path, item := range loadOpenAPI(t).Paths {
		rawGet, hasGet := item["get"]
		rawHead, hasHead := item["head"]
		if hasGet != hasHead {
			t.Errorf("%s: GET %v, HEAD %v; want both or neither", path, hasGet, hasHead)
			continue
		}
		if !hasGet {
			continue
		}
		var get, head operation
		if err := json.Unmarshal(rawGet, &get); err != nil {
			t.Fatalf("%s GET: %v", path, err)
		}
		if err := json.Unmarshal(rawHead, &head); err != nil {
			t.Fatalf("%s HEAD: %v", path, err)
		}
		if string(get.Parameters) != string(head.Parameters) {
			t.Errorf("%s: HEAD parameters differ from GET's (GET %s, HEAD %s): copy GET's", path, paramNames(get.Parameters), paramNames(head.Parameters))
		}
		if string(get.Security) != string(head.Security) {
			t.Errorf("%s: HEAD security %s, GET %s", path, head.Security, get.Security)
		}
		for code := range get.Responses {
			if _, ok := head.Responses[code]; !ok {
				t.Errorf("%s: HEAD does not document %s, which GET does", path, code)
			}
		}
		for code := range head.Responses {
			if _, ok := get.Responses[code]; !ok {
				t.Errorf("%s: HEAD documents %s, which GET does not", path, code)
			}
		}
	}
}

// paramNames lists the names of a parameter list, for messages.
func paramNames(raw json.RawMessage) []string {
	var ps []struct {
		Name string `json:"name"`
		Ref  string `json:"$ref"`
	}
	json.Unmarshal(raw, &ps)
	var names []string
	for _, p := range ps {
		names = append(names, p.Name+p.Ref)
	}
	return names
}
