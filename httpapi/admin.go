package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
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
		localized(w, answer.Language(r))
		writeJSON(w, http.StatusOK, response{s.lifecycleView(rec, answer.Language(r)), nonNil(hist)})
	})
}

// auditActions are the actions the audit filter accepts.
var auditActions = []string{
	gone.ActionCreate, gone.ActionReplace, gone.ActionPatch, gone.ActionSoftDelete, gone.ActionRestore,
	gone.ActionDelete, gone.ActionPurge, gone.ActionExpire, gone.ActionMove, gone.ActionUnavailable, gone.ActionLifecycle,
	gone.ActionTokenCreate, gone.ActionTokenRevoke,
	gone.ActionWebhookCreate, gone.ActionWebhookUpdate, gone.ActionWebhookPause, gone.ActionWebhookResume, gone.ActionWebhookDelete,
}

// handleAudit lets an admin read the audit log, filtered by collection,
// id, actor, action and time (since <= at < until): oldest first, paged
// with after=<seq>, or with order=newest newest first, paged with
// before=<seq>. next is the seq to continue from, in the order asked for.
func (s *server) handleAudit() http.Handler {
	type response struct {
		Events []gone.AuditEvent `json:"events"`
		Next   string            `json:"next,omitempty"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := r.URL.Query()
		q := gone.AuditQuery{Collection: v.Get("collection"), ID: v.Get("id"), Actor: v.Get("actor"), Action: v.Get("action"), Limit: 100}
		if q.Collection != "" && !gone.ValidCollection(q.Collection) || q.ID != "" && !gone.ValidID(q.ID) {
			s.writeError(w, r, gone.Errorf(gone.EINVALID, "collection or id is not valid."))
			return
		}
		if len(q.Actor) > 200 {
			s.writeError(w, r, gone.Errorf(gone.EINVALID, "actor must be at most 200 bytes."))
			return
		}
		if q.Action != "" && !slices.Contains(auditActions, q.Action) {
			s.writeError(w, r, gone.Errorf(gone.EINVALID, "action must be one of %s.", strings.Join(auditActions, ", ")))
			return
		}
		for name, dst := range map[string]*time.Time{"since": &q.Since, "until": &q.Until} {
			if raw := v.Get(name); raw != "" {
				t, err := time.Parse(time.RFC3339, raw)
				if err != nil {
					s.writeError(w, r, gone.Errorf(gone.EINVALID, "%s must be an RFC 3339 time such as 2026-01-05T10:30:00Z.", name))
					return
				}
				*dst = t
			}
		}
		switch v.Get("order") {
		case "", "oldest":
		case "newest":
			q.Newest = true
		default:
			s.writeError(w, r, gone.Errorf(gone.EINVALID, "order must be oldest or newest."))
			return
		}
		for name, dst := range map[string]*int64{"after": &q.AfterSeq, "before": &q.BeforeSeq} {
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
		events, err := s.svc.Audit(r.Context(), q)
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
	// Response is the exchange itself, written by the same code as a real
	// GET of the path in the caller's language.
	Response exchange `json:"response"`
}

// exchange is one HTTP answer as a caller sees it.
type exchange struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// record runs write against a fresh GET of path (in r's language, with no
// conditional headers) and returns what it wrote.
func record(r *http.Request, path string, write func(w http.ResponseWriter, r *http.Request)) exchange {
	req := r.Clone(r.Context())
	req.Method = http.MethodGet
	req.URL = &url.URL{Path: path}
	req.Header = http.Header{}
	if al := r.Header.Get("Accept-Language"); al != "" {
		req.Header.Set("Accept-Language", al)
	}
	rec := &recorder{header: http.Header{}}
	write(rec, req)
	ex := exchange{Status: rec.status, Headers: map[string]string{}, Body: rec.body.String()}
	if ex.Status == 0 {
		ex.Status = http.StatusOK
	}
	for k, v := range rec.header {
		ex.Headers[k] = strings.Join(v, ", ")
	}
	return ex
}

// recorder keeps what a handler writes, for explain.
type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *recorder) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
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
			// No such collection: the path is an unknown route, and every
			// caller gets the same 404 with a suggestion.
			nf := record(r, u.Path, func(w http.ResponseWriter, r *http.Request) { s.routeNotFound(w, r, "") })
			v := verdict{Status: nf.Status, Answer: gone.AnswerNotFound, Response: nf}
			suggestion := s.suggest(r.Context(), u.Path, false)
			answer := "No"
			if suggestion != "" {
				answer = "No: did you mean " + suggestion + "?"
			}
			w.Header().Set("Cache-Control", "no-store")
			writeJSON(w, http.StatusOK, explanation{
				Path: u.Path, Collection: parts[0], ID: parts[1], State: gone.StateAbsent,
				Steps: []gone.Step{{Question: "Route exists?", Answer: answer}}, Public: v, Admin: v,
			})
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
			Steps: admin.Path, Public: s.verdict(r, p, parts[1], public), Admin: s.verdict(r, p, parts[1], admin),
		}
		if len(public.Path) > len(ex.Steps) {
			ex.Steps = public.Path
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, ex)
	})
}

func (s *server) verdict(r *http.Request, p gone.Policy, id string, d gone.Decision) verdict {
	v := verdict{Status: answer.StatusOfAnswer(d.Answer), Answer: d.Answer}
	if d.Answer == gone.AnswerMoved {
		v.Location = s.resourcePath(p.Collection, d.Location)
	}
	v.Response = record(r, s.resourcePath(p.Collection, id), func(w http.ResponseWriter, r *http.Request) {
		s.writeDecision(w, r, p, id, d)
	})
	return v
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
