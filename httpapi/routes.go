package httpapi

import (
	"net/http"
	"slices"

	"github.com/gonehttp/gone/console"
)

// route is one entry of the route table.
type route struct {
	method  string
	pattern string // path pattern, as in net/http.ServeMux
}

// addRoutes lists gone's whole HTTP surface, with the scope each route
// needs in plain sight.
func (s *server) addRoutes(mux *http.ServeMux) {
	// Scopes nest (admin > write > read); a token restricted to some
	// collections is refused on the others, and on routes that are not
	// one collection's.
	read, write, admin := s.readable, s.requireWrite, s.requireAdmin
	handle := func(method, pattern string, h http.Handler) {
		s.routes = append(s.routes, route{method, pattern})
		mux.Handle(method+" "+pattern, h)
	}

	handle("GET", "/api", s.handleIndex())
	handle("GET", "/api/{collection}", read(s.handleList()))
	handle("POST", "/api/{collection}", write(s.handleCreate()))
	handle("POST", "/api/{collection}/_batch", write(s.handleBatch()))
	handle("GET", "/api/{collection}/{id}", read(s.handleRead()))
	handle("PUT", "/api/{collection}/{id}", write(s.handlePut()))
	handle("PATCH", "/api/{collection}/{id}", write(s.handlePatch()))
	handle("DELETE", "/api/{collection}/{id}", write(s.handleDelete()))
	handle("POST", "/api/{collection}/{id}/restore", write(s.handleRestore()))
	handle("POST", "/api/{collection}/{id}/move", write(s.handleMove()))
	handle("GET", "/api/{collection}/{id}/lifecycle", admin(s.handleLifecycle()))
	handle("PATCH", "/api/{collection}/{id}/lifecycle", write(s.handleSetLifecycle()))
	handle("GET", "/api/audit", admin(s.handleAudit()))
	handle("GET", "/api/changes", s.requireReader(s.handleChanges()))
	handle("GET", "/api/explain", admin(s.handleExplain()))
	handle("GET", "/api/tokens", admin(s.handleListTokens()))
	handle("POST", "/api/tokens", admin(s.handleCreateToken()))
	handle("DELETE", "/api/tokens/{name}", admin(s.handleRevokeToken()))
	handle("GET", "/rules", admin(s.handleRules()))
	handle("POST", "/rules", admin(s.handleSetRule()))
	handle("DELETE", "/rules", admin(s.handleClearRule()))
	handle("POST", "/rules/import", admin(s.handleImportRules()))
	handle("GET", "/rules/export", admin(s.handleExportRules()))
	handle("GET", "/rules/explain", admin(s.handleExplainRule()))
	handle("GET", "/webhooks", admin(s.handleListWebhooks()))
	handle("POST", "/webhooks", admin(s.handleCreateWebhook()))
	handle("GET", "/webhooks/{name}", admin(s.handleWebhook()))
	handle("PATCH", "/webhooks/{name}", admin(s.handleUpdateWebhook()))
	handle("DELETE", "/webhooks/{name}", admin(s.handleDeleteWebhook()))
	handle("GET", "/sitemap.xml", s.handleSitemap())
	handle("GET", "/sitemap-removed.xml", s.handleRemovedSitemap())
	handle("GET", "/inbox", admin(s.handleInbox()))
	handle("DELETE", "/inbox", admin(s.handleDismissInbox()))
	handle("GET", "/inbox/entry", admin(s.handleInboxEntry()))
	handle("POST", "/inbox/gone", admin(s.handleInboxGone()))
	handle("POST", "/inbox/redirect", admin(s.handleInboxRedirect()))
	handle("GET", "/inbox/ignores", admin(s.handleInboxIgnores()))
	handle("POST", "/inbox/ignores", admin(s.handleInboxIgnore()))
	handle("DELETE", "/inbox/ignores", admin(s.handleInboxUnignore()))
	handle("GET", "/problems/{name}", s.handleProblemType())
	handle("GET", "/healthz", s.handleHealthz())
	handle("GET", "/readyz", s.handleReadyz())
	handle("GET", "/openapi.json", s.handleOpenAPI())
	handle("GET", "/{$}", s.handleRoot())
	// The admin console: static files; its every action is an API call
	// with the same token checks as any other.
	handle("GET", console.Prefix, console.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.routeNotFound(w, r, "")
	})))
	if s.servesMetrics() {
		// A read token for every collection by default (WithMetricsAccess).
		handle("GET", "/metrics", s.handleMetrics())
	}

	// OPTIONS on every route's path: CORS preflights, and Allow for the
	// rest. One handler serves them all, since per-path OPTIONS patterns
	// would collide in the mux (/api/tokens/{name} and
	// /api/{collection}/_batch both match /api/tokens/_batch); the table
	// still lists each path, for Allow, 405 answers and openapi.json.
	seen := map[string]bool{}
	for _, rt := range slices.Clone(s.routes) {
		if !seen[rt.pattern] {
			seen[rt.pattern] = true
			s.routes = append(s.routes, route{"OPTIONS", rt.pattern})
		}
	}
	mux.Handle("OPTIONS /", s.handleOptions())

	// Everything else is an unknown route: 404 with a suggestion.
	mux.Handle("/", s.handleUnknownRoute())
}
