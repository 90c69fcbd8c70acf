package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// writeTarget resolves the collection of a write, answering 404 with a
// suggestion for an unknown one. ok is false when an answer was sent.
func (s *server) writeTarget(w http.ResponseWriter, r *http.Request) (collection string, ok bool) {
	collection = r.PathValue("collection")
	if _, known := s.svc.Config().Policy(collection); !known {
		s.routeNotFound(w, r, "")
		return "", false
	}
	if id := r.PathValue("id"); id != "" && !gone.ValidID(id) {
		s.writeError(w, r, invalidID())
		return "", false
	}
	return collection, true
}

// writeStored answers a create or replace with the stored representation.
func (s *server) writeStored(w http.ResponseWriter, rec *gone.Record, status int) {
	h := w.Header()
	h.Set("ETag", rec.ETag())
	h.Set("Last-Modified", rec.UpdatedAt.UTC().Format(http.TimeFormat))
	if status == http.StatusCreated {
		h.Set("Location", s.resourcePath(rec.Collection, rec.ID))
	}
	writeJSON(w, status, rec.Data)
}

// handlePut creates (201) or replaces (200) a resource.
func (s *server) handlePut() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		coll, ok := s.writeTarget(w, r)
		if !ok {
			return
		}
		data, err := readObject(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		rec, created, err := s.svc.Put(r.Context(), callerFrom(r.Context()), coll, r.PathValue("id"), data, preconditions(r))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		s.writeStored(w, rec, status)
	})
}

// handleCreate creates a resource under a generated id.
func (s *server) handleCreate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		coll, ok := s.writeTarget(w, r)
		if !ok {
			return
		}
		data, err := readObject(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		rec, err := s.svc.Create(r.Context(), callerFrom(r.Context()), coll, data)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeStored(w, rec, http.StatusCreated)
	})
}

// handlePatch applies a JSON merge patch (RFC 7396).
func (s *server) handlePatch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		coll, ok := s.writeTarget(w, r)
		if !ok {
			return
		}
		patch, err := readObject(r, "application/merge-patch+json")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		rec, err := s.svc.Patch(r.Context(), callerFrom(r.Context()), coll, r.PathValue("id"), patch, preconditions(r))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeStored(w, rec, http.StatusOK)
	})
}

// handleDelete soft-deletes or permanently deletes a resource.
func (s *server) handleDelete() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		coll, ok := s.writeTarget(w, r)
		if !ok {
			return
		}
		q := r.URL.Query()
		opt := gone.DeleteOptions{Reason: q.Get("reason"), Alternative: q.Get("alternative")}
		switch q.Get("permanent") {
		case "", "false":
		case "true":
			opt.Permanent = true
		default:
			s.writeError(w, r, gone.Errorf(gone.EINVALID, "permanent must be true or false."))
			return
		}
		rec, err := s.svc.Delete(r.Context(), callerFrom(r.Context()), coll, r.PathValue("id"), opt, preconditions(r))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeLifecycle(w, r, rec)
	})
}

// handleRestore brings a resource back from the trash.
func (s *server) handleRestore() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		coll, ok := s.writeTarget(w, r)
		if !ok {
			return
		}
		rec, err := s.svc.Restore(r.Context(), callerFrom(r.Context()), coll, r.PathValue("id"), preconditions(r))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeLifecycle(w, r, rec)
	})
}

// handleMove renames a resource; the old id answers 308 to the new one.
func (s *server) handleMove() http.Handler {
	type request struct {
		To string `json:"to"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		coll, ok := s.writeTarget(w, r)
		if !ok {
			return
		}
		var req request
		if err := decodeStrict(r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		rec, err := s.svc.Move(r.Context(), callerFrom(r.Context()), coll, r.PathValue("id"), req.To, preconditions(r))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Location", s.resourcePath(coll, rec.ID))
		s.writeLifecycle(w, r, rec)
	})
}

// lifecycleRequest is the body of PATCH …/lifecycle: a JSON merge patch of
// the lifecycle fields, where null clears a field.
type lifecycleRequest struct {
	ExpiresAt        json.RawMessage `json:"expiresAt"`
	Alternative      json.RawMessage `json:"alternative"`
	UnavailableUntil json.RawMessage `json:"unavailableUntil"`
	DeprecatedAt     json.RawMessage `json:"deprecatedAt"`
}

func (l lifecycleRequest) change() (gone.LifecycleChange, error) {
	var c gone.LifecycleChange
	var fields = map[string]string{}
	for name, f := range map[string]struct {
		raw json.RawMessage
		dst *gone.Optional[time.Time]
	}{
		"expiresAt": {l.ExpiresAt, &c.ExpiresAt}, "unavailableUntil": {l.UnavailableUntil, &c.UnavailableUntil},
		"deprecatedAt": {l.DeprecatedAt, &c.DeprecatedAt},
	} {
		if f.raw == nil {
			continue
		}
		f.dst.Set = true
		if string(f.raw) == "null" {
			continue
		}
		var s string
		t, err := time.Time{}, json.Unmarshal(f.raw, &s)
		if err == nil {
			t, err = time.Parse(time.RFC3339, s)
		}
		// The zero time means "cleared" to the domain, so years outside
		// 1970–9999 (0001-01-01 among them) are refused here.
		if err != nil || t.Year() < 1970 || t.Year() > 9999 {
			fields[name] = "must be an RFC 3339 timestamp such as 2026-01-05T10:30:00Z, or null"
			continue
		}
		f.dst.Value = t
	}
	if l.Alternative != nil {
		c.Alternative.Set = true
		if string(l.Alternative) != "null" {
			if err := json.Unmarshal(l.Alternative, &c.Alternative.Value); err != nil {
				fields["alternative"] = "must be a string or null"
			}
		}
	}
	if len(fields) > 0 {
		return c, &gone.Error{Code: gone.EINVALID, Message: "The lifecycle change is not valid.", Fields: fields}
	}
	return c, nil
}

// handleSetLifecycle changes expiry, availability, deprecation or the
// alternative of a resource.
func (s *server) handleSetLifecycle() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		coll, ok := s.writeTarget(w, r)
		if !ok {
			return
		}
		var req lifecycleRequest
		if err := decodeStrict(r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		change, err := req.change()
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		rec, err := s.svc.SetLifecycle(r.Context(), callerFrom(r.Context()), coll, r.PathValue("id"), change, preconditions(r))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeLifecycle(w, r, rec)
	})
}

// writeLifecycle answers a lifecycle change with the record's lifecycle view.
func (s *server) writeLifecycle(w http.ResponseWriter, r *http.Request, rec *gone.Record) {
	w.Header().Set("Cache-Control", "no-store")
	localized(w, answer.Language(r))
	writeJSON(w, http.StatusOK, s.lifecycleView(rec, answer.Language(r)))
}
