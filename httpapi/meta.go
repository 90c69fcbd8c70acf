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
		if !answer.WriteDoc(w, r.PathValue("name")) {
			s.routeNotFound(w, r, "")
		}
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
