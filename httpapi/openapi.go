package httpapi

import (
	_ "embed"
	"net/http"
	"strconv"
)

// openAPI is the OpenAPI 3.1 description of every route in routes.go,
// written by hand so that it says what the handlers mean, not only what
// their types are. openapi_test.go keeps it honest: every route and every
// status a route can send must be in it.
//
//go:embed openapi.json
var openAPI []byte

// handleOpenAPI serves the OpenAPI document.
func (s *server) handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(openAPI)))
		// It changes only with the binary; an hour keeps clients fresh
		// enough across a deploy.
		h.Set("Cache-Control", "max-age=3600")
		w.WriteHeader(http.StatusOK)
		w.Write(openAPI)
	})
}
