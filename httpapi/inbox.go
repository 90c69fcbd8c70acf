package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/inbox"
)

// inboxPage is the default and the largest page of GET /inbox.
const (
	inboxPage    = 100
	inboxPageMax = 1000
)

// WithInbox serves the 404 inbox's admin routes (/inbox…) over ib; without
// it they answer 404.
func WithInbox(ib *inbox.Inbox) Option { return func(s *server) { s.inbox = ib } }

// WithMisses tells m about every unknown route this API answers 404 to a
// GET or HEAD (gone serve's part of the 404 inbox). The inbox's suggested
// redirect is then the nearest route, as the 404's "Did you mean …?".
func WithMisses(m gone.MissRecorder) Option { return func(s *server) { s.misses = m } }

// recordMiss tells the recorder about an unknown route. Only GET and HEAD
// count: they are what links and crawlers ask for, and what a 410 or 308
// rule answers.
func (s *server) recordMiss(r *http.Request) {
	if s.misses == nil || r.Method != http.MethodGet && r.Method != http.MethodHead {
		return
	}
	s.misses.RecordMiss(r.URL.EscapedPath(), r.Header.Get("Referer"), r.Header.Get("User-Agent"))
}

// withInbox answers 404 when the server keeps no inbox.
func (s *server) withInbox(h func(w http.ResponseWriter, r *http.Request, ib *inbox.Inbox)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.inbox == nil {
			s.writeError(w, r, gone.Errorf(gone.ENOTFOUND, "This server keeps no 404 inbox."))
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r, s.inbox)
	})
}

// inboxEntry adds the nearest route as the suggestion where the inbox
// knows no path nearer: on gone serve, whose misses are unknown routes.
func (s *server) inboxEntry(ctx context.Context, e inbox.Entry) inbox.Entry {
	if e.Suggestion == "" && s.misses != nil {
		e.Suggestion = s.suggest(ctx, e.Path, false)
	}
	return e
}

// handleInbox pages through the inbox, most hits first.
func (s *server) handleInbox() http.Handler {
	type response struct {
		Entries []inbox.Entry `json:"entries"`
		Next    string        `json:"next,omitempty"`
	}
	return s.withInbox(func(w http.ResponseWriter, r *http.Request, ib *inbox.Inbox) {
		limit, err := pageLimit(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if limit == 0 || limit > inboxPageMax {
			limit = min(max(limit, inboxPage), inboxPageMax)
		}
		after, err := pageCursor(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		offset := 0
		if after != "" {
			if offset, err = strconv.Atoi(after); err != nil || offset < 0 {
				s.writeError(w, r, gone.Errorf(gone.EINVALID, "cursor is not a cursor this server gave."))
				return
			}
		}
		// One more than the page, to know whether another follows.
		es, err := ib.List(r.Context(), callerFrom(r.Context()), gone.InboxQuery{Offset: offset, Limit: limit + 1})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		resp := response{Entries: []inbox.Entry{}}
		if len(es) > limit {
			es = es[:limit]
			resp.Next = nextCursor(strconv.Itoa(offset + limit))
		}
		for _, e := range es {
			resp.Entries = append(resp.Entries, s.inboxEntry(r.Context(), e))
		}
		writeJSON(w, http.StatusOK, resp)
	})
}

// handleInboxEntry answers one entry: GET /inbox/entry?path=.
func (s *server) handleInboxEntry() http.Handler {
	return s.withInbox(func(w http.ResponseWriter, r *http.Request, ib *inbox.Inbox) {
		e, err := ib.Entry(r.Context(), callerFrom(r.Context()), r.URL.Query().Get("path"))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, s.inboxEntry(r.Context(), e))
	})
}

// handleDismissInbox takes an entry out without a rule: DELETE /inbox?path=.
func (s *server) handleDismissInbox() http.Handler {
	return s.withInbox(func(w http.ResponseWriter, r *http.Request, ib *inbox.Inbox) {
		if err := ib.Dismiss(r.Context(), callerFrom(r.Context()), r.URL.Query().Get("path")); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// inboxAction is the body of POST /inbox/gone and /inbox/redirect.
type inboxAction struct {
	Path        string `json:"path"`
	Reason      string `json:"reason,omitempty"`
	Alternative string `json:"alternative,omitempty"`
	To          string `json:"to,omitempty"`
	Status      int    `json:"status,omitempty"`
}

// handleInboxGone turns an entry into a 410 rule.
func (s *server) handleInboxGone() http.Handler {
	return s.withInbox(func(w http.ResponseWriter, r *http.Request, ib *inbox.Inbox) {
		var a inboxAction
		if err := decodeStrict(r, &a); err != nil {
			s.writeError(w, r, err)
			return
		}
		if a.To != "" || a.Status != 0 {
			s.writeError(w, r, &gone.Error{Code: gone.EINVALID, Message: "Invalid body: a 410 takes no to or status.",
				Fields: map[string]string{"to": "is for /inbox/redirect"}})
			return
		}
		rec, out, err := ib.Gone(r.Context(), callerFrom(r.Context()), a.Path, a.Reason, a.Alternative)
		s.writeInboxRule(w, r, rec, out, err)
	})
}

// handleInboxRedirect turns an entry into a 308 (or 301) rule.
func (s *server) handleInboxRedirect() http.Handler {
	return s.withInbox(func(w http.ResponseWriter, r *http.Request, ib *inbox.Inbox) {
		var a inboxAction
		if err := decodeStrict(r, &a); err != nil {
			s.writeError(w, r, err)
			return
		}
		if a.Reason != "" || a.Alternative != "" {
			s.writeError(w, r, &gone.Error{Code: gone.EINVALID, Message: "Invalid body: a redirect takes no reason or alternative.",
				Fields: map[string]string{"reason": "is for /inbox/gone"}})
			return
		}
		rec, out, err := ib.Redirect(r.Context(), callerFrom(r.Context()), a.Path, a.To, a.Status)
		s.writeInboxRule(w, r, rec, out, err)
	})
}

func (s *server) writeInboxRule(w http.ResponseWriter, r *http.Request, rec *gone.Record, out gone.RuleOutcome, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := NewRuleView(rec, s.svc.Now())
	v.Outcome = out
	writeJSON(w, http.StatusOK, v)
}

// handleInboxIgnore adds an ignore pattern: POST /inbox/ignores.
func (s *server) handleInboxIgnore() http.Handler {
	type request struct {
		Pattern string `json:"pattern"`
	}
	type response struct {
		gone.IgnorePattern
		// Removed is how many inbox entries the pattern took out.
		Removed int `json:"removed"`
	}
	return s.withInbox(func(w http.ResponseWriter, r *http.Request, ib *inbox.Inbox) {
		var req request
		if err := decodeStrict(r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		p, n, err := ib.Ignore(r.Context(), callerFrom(r.Context()), req.Pattern)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, response{p, n})
	})
}

// handleInboxIgnores lists the ignore patterns.
func (s *server) handleInboxIgnores() http.Handler {
	type response struct {
		Patterns []gone.IgnorePattern `json:"patterns"`
	}
	return s.withInbox(func(w http.ResponseWriter, r *http.Request, ib *inbox.Inbox) {
		ps, err := ib.Patterns(r.Context(), callerFrom(r.Context()))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, response{ps})
	})
}

// handleInboxUnignore removes a pattern: DELETE /inbox/ignores?pattern=.
func (s *server) handleInboxUnignore() http.Handler {
	return s.withInbox(func(w http.ResponseWriter, r *http.Request, ib *inbox.Inbox) {
		if err := ib.Unignore(r.Context(), callerFrom(r.Context()), r.URL.Query().Get("pattern")); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
