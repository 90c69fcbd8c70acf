package httpapi

import (
	"net/http"
	"strings"

	"github.com/gonehttp/gone/answer"
)

// docsURL is where the project's documentation lives.
const docsURL = "https://github.com/gonehttp/gone#readme"

// root is the answer to GET /: where to go from here.
type root struct {
	Name        string            `json:"name"`
	About       string            `json:"about"`
	Links       map[string]string `json:"links"`
	Collections []string          `json:"collections"`
}

// handleRoot answers GET / with a small JSON map of the server: the API
// description, the console (when this server has one), the docs, and the
// collections' URLs. It is the same for every caller.
func (s *server) handleRoot() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		links := map[string]string{
			"openapi":  "/openapi.json",
			"docs":     docsURL,
			"problems": answer.Base + "{name}",
			"health":   "/healthz",
		}
		for _, rt := range s.routes {
			if strings.HasPrefix(rt.pattern, "/admin/") {
				links["admin"] = "/admin/"
				break
			}
		}
		colls := make([]string, len(s.collections))
		for i, c := range s.collections {
			colls[i] = s.prefix + "/" + c
		}
		w.Header().Set("Cache-Control", "max-age=300")
		writeJSON(w, http.StatusOK, root{
			Name:        "gone",
			About:       "HTTP resources with an honest lifecycle: 404, 410 Gone, 308, 503.",
			Links:       links,
			Collections: colls,
		})
	})
}
