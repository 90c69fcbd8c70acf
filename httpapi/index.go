package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// collectionInfo is one collection in the API index: what a caller needs
// to know before acting on it (is a delete soft, is reading private).
type collectionInfo struct {
	Name string `json:"name"`
	// RestoreWindowSeconds is how long a delete stays restorable; 0 means
	// every delete is permanent.
	RestoreWindowSeconds int64           `json:"restoreWindowSeconds"`
	Disclosure           gone.Disclosure `json:"disclosure"`
	Private              bool            `json:"private"`
}

// reasonInfo is one code of the reason catalog, with its text in the
// negotiated language.
type reasonInfo struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// Front is the front door that serves this API: what its callers are
// managing, resources (gone serve) or a site's paths (gone proxy).
type Front string

// The front doors that serve the API.
const (
	FrontServe Front = "serve"
	FrontProxy Front = "proxy"
)

// WithFront says which front door serves the API (FrontServe unless
// given). The index tells it to the console, whose home under the proxy
// is the rules rather than the collections.
func WithFront(f Front) Option { return func(s *server) { s.front = f } }

// handleIndex lists the collections and the reason catalog. Both are
// public already (suggestions name collections, 410s carry reason texts);
// the index says it in one place, for the console and other clients,
// with the front door that serves it.
func (s *server) handleIndex() http.Handler {
	type response struct {
		Front       Front            `json:"front"`
		Collections []collectionInfo `json:"collections"`
		Reasons     []reasonInfo     `json:"reasons"`
	}
	front := s.front
	if front == "" {
		front = FrontServe
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lng := answer.Language(r)
		resp := response{Front: front, Collections: []collectionInfo{}, Reasons: []reasonInfo{}}
		for _, name := range s.collections {
			p, _ := s.svc.Config().Policy(name)
			resp.Collections = append(resp.Collections, collectionInfo{
				Name: name, RestoreWindowSeconds: int64(p.RestoreWindow / time.Second),
				Disclosure: p.Disclosure, Private: p.Private,
			})
		}
		for code := range s.svc.Config().Reasons {
			resp.Reasons = append(resp.Reasons, reasonInfo{Code: code, Text: s.svc.Config().ReasonText(code, lng)})
		}
		slices.SortFunc(resp.Reasons, func(a, b reasonInfo) int { return strings.Compare(a.Code, b.Code) })
		w.Header().Set("Cache-Control", "no-cache")
		localized(w, lng)
		writeJSON(w, http.StatusOK, resp)
	})
}
