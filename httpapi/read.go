package httpapi

import (
	"net/http"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// handleRead answers GET and HEAD of one id: one store lookup, one decision.
func (s *server) handleRead() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.svc.Config().Policy(r.PathValue("collection"))
		if !ok {
			s.routeNotFound(w, r, "")
			return
		}
		id := r.PathValue("id")
		if !gone.ValidID(id) {
			s.writeError(w, r, invalidID())
			return
		}
		d, err := s.svc.Decide(r.Context(), callerFrom(r.Context()), p, id)
		s.metrics.decision(d)
		if err != nil && !gone.IsNotFound(err) {
			s.log.WarnContext(r.Context(), "store lookup failed; answering 503",
				"err", err, "request_id", requestID(r.Context()))
		}
		noteMemo(r, d)
		s.writeDecision(w, r, p, id, d)
	})
}

func invalidID() error {
	return &gone.Error{Code: gone.EINVALID, Message: "The id is not valid: ids are 1 to 128 characters from A-Z a-z 0-9 - _ . ~ and start with a letter or digit.",
		Fields: map[string]string{"id": "must match [A-Za-z0-9][A-Za-z0-9._~-]{0,127}"}}
}

// listPage is the body of a collection listing.
type listPage struct {
	Items []any  `json:"items"`
	Next  string `json:"next,omitempty"`
}

// liveItem is one live resource in a listing.
type liveItem struct {
	ID   string `json:"id"`
	Data any    `json:"data"`
}

// handleList pages through a collection: live resources for everyone;
// for admins, lifecycle views of the trash (state=deleted), tombstones
// (state=gone), moved or unavailable ids, or of what expires within a
// duration (expiresWithin=7d).
func (s *server) handleList() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("collection")
		if _, ok := s.svc.Config().Policy(name); !ok {
			s.routeNotFound(w, r, "")
			return
		}
		q := gone.ListQuery{Collection: name, State: gone.State(r.URL.Query().Get("state"))}
		limit, err := pageLimit(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		q.Limit = limit
		if raw := r.URL.Query().Get("expiresWithin"); raw != "" {
			d, err := gone.ParseDuration(raw)
			if err != nil || d == 0 {
				s.writeError(w, r, gone.Errorf(gone.EINVALID, "expiresWithin must be a positive duration such as 7d or 48h."))
				return
			}
			q.ExpiresBefore = s.svc.Now().Add(d)
		}
		if q.After, err = pageCursor(r); err != nil {
			s.writeError(w, r, err)
			return
		}
		caller := callerFrom(r.Context())
		recs, next, err := s.svc.List(r.Context(), caller, q)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		page := listPage{Items: make([]any, 0, len(recs))}
		for _, rec := range recs {
			if (q.State == "" || q.State == gone.StateLive) && q.ExpiresBefore.IsZero() {
				page.Items = append(page.Items, liveItem{ID: rec.ID, Data: rec.Data})
			} else {
				page.Items = append(page.Items, s.lifecycleView(rec, answer.Language(r)))
			}
		}
		page.Next = nextCursor(next)
		w.Header().Set("Cache-Control", "no-cache")
		if q.State != "" && q.State != gone.StateLive || !q.ExpiresBefore.IsZero() {
			localized(w, answer.Language(r))
		}
		writeJSON(w, http.StatusOK, page)
	})
}
