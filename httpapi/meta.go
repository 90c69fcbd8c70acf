package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// handleProblemType documents one problem type.
func (s *server) handleProblemType() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, ok := answer.Doc(r.PathValue("name"))
		if !ok {
			s.routeNotFound(w, r, "")
			return
		}
		w.Header().Set("Cache-Control", "max-age=86400")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(doc + "\n"))
	})
}

// handleHealthz says the process is up.
func (s *server) handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// handleReadyz says whether the store answers.
func (s *server) handleReadyz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.svc.Ping(ctx); err != nil {
			s.log.WarnContext(r.Context(), "store not ready", "err", err)
			s.writeError(w, r, &gone.Error{Code: gone.EUNAVAILABLE, Message: "The store does not answer.", Err: err})
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}
