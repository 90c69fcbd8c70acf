package httpapi

import (
	"net/http"

	"github.com/gonehttp/gone/console"
)

// route is one entry of the route table.
type route struct {
	method  string
	pattern string // path pattern, as in net/http.ServeMux
}

// addRoutes lists gone's whole HTTP surface. Admin-only routes say so here.
func (s *server) addRoutes(mux *http.ServeMux) {
	admin := s.requireAdmin
	handle := func(method, pattern string, h http.Handler) {
		s.routes = append(s.routes, route{method, pattern})
		mux.Handle(method+" "+pattern, h)
	}

	handle("GET", "/api", s.handleIndex())
	handle("GET", "/api/{collection}", s.handleList())
	handle("POST", "/api/{collection}", admin(s.handleCreate()))
	handle("GET", "/api/{collection}/{id}", s.handleRead())
	handle("PUT", "/api/{collection}/{id}", admin(s.handlePut()))
	handle("PATCH", "/api/{collection}/{id}", admin(s.handlePatch()))
	handle("DELETE", "/api/{collection}/{id}", admin(s.handleDelete()))
	handle("POST", "/api/{collection}/{id}/restore", admin(s.handleRestore()))
	handle("POST", "/api/{collection}/{id}/move", admin(s.handleMove()))
	handle("GET", "/api/{collection}/{id}/lifecycle", admin(s.handleLifecycle()))
	handle("PATCH", "/api/{collection}/{id}/lifecycle", admin(s.handleSetLifecycle()))
	handle("GET", "/api/audit", admin(s.handleAudit()))
	handle("GET", "/api/explain", admin(s.handleExplain()))
	handle("GET", "/rules", admin(s.handleRules()))
	handle("POST", "/rules", admin(s.handleSetRule()))
	handle("DELETE", "/rules", admin(s.handleClearRule()))
	handle("POST", "/rules/import", admin(s.handleImportRules()))
	handle("GET", "/rules/explain", admin(s.handleExplainRule()))
	handle("GET", "/problems/{name}", s.handleProblemType())
	handle("GET", "/healthz", s.handleHealthz())
	handle("GET", "/readyz", s.handleReadyz())
	handle("GET", "/openapi.json", s.handleOpenAPI())
	// The admin console: static files; its every action is an API call
	// with the same token checks as any other.
	handle("GET", console.Prefix, console.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.routeNotFound(w, r, "")
	})))
	if s.metrics != nil {
		handle("GET", "/metrics", s.handleMetrics())
	}

	// Everything else is an unknown route: 404 with a suggestion.
	mux.Handle("/", s.handleUnknownRoute())
}
