package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gonehttp/gone"
)

// handleLifecycle shows an id's state and its history to an admin.
func (s *server) handleLifecycle() http.Handler {
	type response struct {
		lifecycleView
		History []gone.AuditEvent `json:"history"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		coll, ok := s.writeTarget(w, r)
		if !ok {
			return
		}
		id := r.PathValue("id")
		rec, err := s.svc.Record(r.Context(), coll, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		hist, err := s.svc.History(r.Context(), coll, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		localized(w, lang(r))
		writeJSON(w, http.StatusOK, response{s.lifecycleView(rec, lang(r)), nonNil(hist)})
	})
}

// handleAudit lets an admin read the audit log, filtered by collection and
// id, paged with after=<seq>.
func (s *server) handleAudit() http.Handler {
	type response struct {
		Events []gone.AuditEvent `json:"events"`
		Next   string            `json:"next,omitempty"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := r.URL.Query()
		q := gone.AuditQuery{Collection: v.Get("collection"), ID: v.Get("id"), Limit: 100}
		if q.Collection != "" && !gone.ValidCollection(q.Collection) || q.ID != "" && !gone.ValidID(q.ID) {
			s.writeError(w, r, gone.Errorf(gone.EINVALID, "collection or id is not valid."))
			return
		}
		for name, dst := range map[string]*int64{"after": &q.AfterSeq} {
			if raw := v.Get(name); raw != "" {
				n, err := strconv.ParseInt(raw, 10, 64)
				if err != nil || n < 0 {
					s.writeError(w, r, gone.Errorf(gone.EINVALID, "%s must be a non-negative integer.", name))
					return
				}
				*dst = n
			}
		}
		if raw := v.Get("limit"); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 || n > 1000 {
				s.writeError(w, r, gone.Errorf(gone.EINVALID, "limit must be between 1 and 1000."))
				return
			}
			q.Limit = n
		}
		events, err := s.svc.Store.Audit(r.Context(), q)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		resp := response{Events: nonNil(events)}
		if len(events) == q.Limit {
			resp.Next = strconv.FormatInt(events[len(events)-1].Seq, 10)
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, resp)
	})
}

// explanation is the body of GET /api/explain.
type explanation struct {
	Path       string      `json:"path"`
	Collection string      `json:"collection"`
	ID         string      `json:"id"`
	State      gone.State  `json:"state"`
	Steps      []gone.Step `json:"steps"`
	Public     verdict     `json:"public"`
	Admin      verdict     `json:"admin"`
}

// verdict is the answer one kind of caller gets.
type verdict struct {
	Status   int         `json:"status"`
	Answer   gone.Answer `json:"answer"`
	Location string      `json:"location,omitempty"`
}

// handleExplain shows the decision for a path: the branches taken through
// the seeds' flowchart, the state, and what a public caller and an admin
// are answered.
func (s *server) handleExplain() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := r.URL.Query().Get("path")
		u, err := url.Parse(raw)
		if raw == "" || err != nil || !strings.HasPrefix(u.Path, s.prefix+"/") {
			s.writeError(w, r, gone.Errorf(gone.EINVALID, "path must be a resource path such as %s/users/123.", s.prefix))
			return
		}
		parts := strings.Split(strings.TrimPrefix(u.Path, s.prefix+"/"), "/")
		if len(parts) != 2 {
			s.writeError(w, r, gone.Errorf(gone.EINVALID, "path must name one resource: %s/{collection}/{id}.", s.prefix))
			return
		}
		p, err := s.svc.Policy(parts[0])
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !gone.ValidID(parts[1]) {
			s.writeError(w, r, invalidID())
			return
		}
		public, admin, err := s.svc.Explain(r.Context(), callerFrom(r.Context()), p, parts[1])
		if err != nil && !gone.IsNotFound(err) {
			s.writeError(w, r, &gone.Error{Code: gone.EUNAVAILABLE, Message: "The store did not answer.", Err: err})
			return
		}
		ex := explanation{
			Path: u.Path, Collection: p.Collection, ID: parts[1], State: admin.State,
			Steps: admin.Path, Public: s.verdict(p, public), Admin: s.verdict(p, admin),
		}
		if len(public.Path) > len(ex.Steps) {
			ex.Steps = public.Path
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, ex)
	})
}

func (s *server) verdict(p gone.Policy, d gone.Decision) verdict {
	v := verdict{Status: answerStatus[d.Answer], Answer: d.Answer}
	if d.Answer == gone.AnswerMoved {
		v.Location = s.resourcePath(p.Collection, d.Location)
	}
	return v
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
