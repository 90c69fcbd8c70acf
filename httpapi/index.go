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

// handleIndex lists the collections and the reason catalog. Both are
// public already (suggestions name collections, 410s carry reason texts);
// the index says it in one place, for the console and other clients.
func (s *server) handleIndex() http.Handler {
	type response struct {
		Collections []collectionInfo `json:"collections"`
		Reasons     []reasonInfo     `json:"reasons"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lng := answer.Language(r)
		resp := response{Collections: []collectionInfo{}, Reasons: []reasonInfo{}}
		for _, name := range s.collections {
			p, _ := s.svc.Config.Policy(name)
			resp.Collections = append(resp.Collections, collectionInfo{
				Name: name, RestoreWindowSeconds: int64(p.RestoreWindow / time.Second),
				Disclosure: p.Disclosure, Private: p.Private,
			})
		}
		for code := range s.svc.Config.Reasons {
			resp.Reasons = append(resp.Reasons, reasonInfo{Code: code, Text: s.svc.Config.ReasonText(code, lng)})
		}
		slices.SortFunc(resp.Reasons, func(a, b reasonInfo) int { return strings.Compare(a.Code, b.Code) })
		w.Header().Set("Cache-Control", "no-cache")
		localized(w, lng)
		writeJSON(w, http.StatusOK, resp)
	})
}
