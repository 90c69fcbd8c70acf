package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gonehttp/gone"
)

// problemDocs describes each problem type at /problems/{name}, so the type
// URIs in problem bodies resolve to an explanation.
var problemDocs = map[string]string{
	"not-found":              "The server does not know this resource or endpoint. It may exist later: check the URL; you may retry after the Cache-Control max-age.",
	"gone":                   "The resource existed and was permanently removed. It will never return: do not retry, and purge it from caches and bookmarks. deletedAt or expiredAt say when, reason why, alternative what to use instead.",
	"unavailable":            "The resource or the server is temporarily unavailable. Retry after the Retry-After delay.",
	"invalid":                "The request is malformed; errors names the fields. Nothing was changed.",
	"unauthorized":           "A valid bearer token is required. tokenState says why a token was refused: unknown, revoked (revokedAt) or expired (expiredAt).",
	"forbidden":              "The token may not do this: it lacks the scope, or is restricted to other collections.",
	"too-many-requests":      "Too many requests from this client address failed to authenticate. Retry after the Retry-After delay. Requests with a valid token are not counted, and a token that already succeeded from this address is not refused.",
	"conflict":               "The request conflicts with the resource's lifecycle (for example, creating under a retired id). Nothing was changed.",
	"precondition-failed":    "A precondition of the write did not hold: If-Match did not match the current ETag, the resource was modified after If-Unmodified-Since, or If-None-Match matched (If-None-Match: * makes a PUT create-only). The ETag header holds the current ETag. Nothing was changed.",
	"too-large":              "The request body is larger than the server accepts (1 MiB). Nothing was changed.",
	"uri-too-long":           "The request target (path and query) is longer than the server accepts (16 KiB). Nothing was changed.",
	"headers-too-large":      "The request line and headers are larger than the server accepts (64 KiB). Nothing was changed.",
	"unsupported-media-type": "The request body must be application/json. Nothing was changed.",
	"method-not-allowed":     "The route does not support this method; Allow lists those it does.",
	"internal":               "The server failed. The requestId member identifies the failure in the server's log.",
}

// handleProblemType documents one problem type.
func (s *server) handleProblemType() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, ok := problemDocs[r.PathValue("name")]
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
		if err := s.svc.Store.Ping(ctx); err != nil {
			s.log.WarnContext(r.Context(), "store not ready", "err", err)
			s.writeError(w, r, &gone.Error{Code: gone.EUNAVAILABLE, Message: "The store does not answer.", Err: err})
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}
