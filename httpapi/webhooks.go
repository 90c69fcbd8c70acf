package httpapi

import (
	"net/http"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// WithWebhooks serves the webhook subscriptions kept in hooks (by default,
// the service's store, when it keeps them).
func WithWebhooks(hooks gone.WebhookStore) Option {
	return func(s *server) { s.hooks = hooks }
}

// webhookView is a subscription as the API shows it: its secret only in
// the answer to the request that created it.
type webhookView struct {
	Name         string            `json:"name"`
	Kind         gone.WebhookKind  `json:"kind"`
	URL          string            `json:"url"`
	Host         string            `json:"host,omitempty"`
	Collections  []string          `json:"collections,omitempty"`
	PathPrefix   string            `json:"pathPrefix,omitempty"`
	Types        []gone.ChangeType `json:"types,omitempty"`
	CreatedAt    string            `json:"createdAt"`
	CreatedBy    string            `json:"createdBy"`
	Failures     int               `json:"failures"`
	PausedAt     string            `json:"pausedAt,omitempty"`
	PausedReason string            `json:"pausedReason,omitempty"`
	Secret       string            `json:"secret,omitempty"`
	// Queued in the list and the answer about one subscription; the
	// list adds the newest attempt, the answer about one its log.
	Queued       *int           `json:"queued,omitempty"`
	LastDelivery *deliveryView  `json:"lastDelivery,omitempty"`
	Deliveries   []deliveryView `json:"deliveries,omitempty"`
}

type deliveryView struct {
	MessageID  string `json:"messageId"`
	At         string `json:"at"`
	Attempt    int    `json:"attempt"`
	Status     int    `json:"status,omitempty"`
	Error      string `json:"error,omitempty"`
	DurationMS int64  `json:"durationMs"`
	Delivered  bool   `json:"delivered"`
}

func viewDelivery(a gone.WebhookAttempt) deliveryView {
	return deliveryView{MessageID: a.MessageID, At: a.At.UTC().Format(time.RFC3339Nano),
		Attempt: a.Attempt, Status: a.Status, Error: a.Error, DurationMS: a.Duration.Milliseconds(), Delivered: a.Delivered}
}

func viewWebhook(w *gone.Webhook) webhookView {
	return webhookView{Name: w.Name, Kind: w.Kind, URL: w.URL, Host: w.Host, Collections: w.Collections,
		PathPrefix: w.PathPrefix, Types: w.Types, CreatedAt: answer.Stamp(w.CreatedAt), CreatedBy: w.CreatedBy,
		Failures: w.Failures, PausedAt: answer.Stamp(w.PausedAt), PausedReason: w.PausedReason}
}

// withHooks is a webhook route's handler: h runs with the store of
// subscriptions, and a server without one answers 404.
func (s *server) withHooks(h func(w http.ResponseWriter, r *http.Request, hooks gone.WebhookStore)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.hooks == nil {
			s.writeError(w, r, gone.Errorf(gone.ENOTFOUND, "This server keeps no webhooks."))
			return
		}
		h(w, r, s.hooks)
	})
}

// handleListWebhooks lists every subscription, by name, each with its
// queue's length and its newest delivery attempt (two indexed reads per
// subscription: there are a handful, not thousands).
func (s *server) handleListWebhooks() http.Handler {
	type response struct {
		Webhooks []webhookView `json:"webhooks"`
	}
	return s.withHooks(func(w http.ResponseWriter, r *http.Request, hooks gone.WebhookStore) {
		all, err := hooks.Webhooks(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		resp := response{Webhooks: make([]webhookView, 0, len(all))}
		for _, h := range all {
			v := viewWebhook(h)
			_, queued, err := hooks.PendingWebhooks(r.Context(), h.Name, 0)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			last, err := hooks.WebhookAttempts(r.Context(), h.Name, 1)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			v.Queued = &queued
			if len(last) > 0 {
				d := viewDelivery(last[0])
				v.LastDelivery = &d
			}
			resp.Webhooks = append(resp.Webhooks, v)
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, resp)
	})
}

// webhookRequest is the body of a create, and (every field optional) of
// a change.
type webhookRequest struct {
	Name        string            `json:"name"`
	Kind        gone.WebhookKind  `json:"kind"`
	URL         string            `json:"url"`
	Secret      string            `json:"secret"`
	Host        string            `json:"host"`
	Collections []string          `json:"collections"`
	PathPrefix  string            `json:"pathPrefix"`
	Types       []gone.ChangeType `json:"types"`
	// Paused, in a change: false resumes a paused subscription (and
	// sends its queue at once), true pauses it.
	Paused *bool `json:"paused"`
	// Reason is why, for the audit log (free text, optional).
	Reason string `json:"reason"`
}

// handleCreateWebhook adds a subscription and shows its secret, once.
func (s *server) handleCreateWebhook() http.Handler {
	return s.withHooks(func(w http.ResponseWriter, r *http.Request, hooks gone.WebhookStore) {
		var body webhookRequest
		if err := decodeStrict(r, &body); err != nil {
			s.writeError(w, r, err)
			return
		}
		if body.Paused != nil {
			s.writeError(w, r, &gone.Error{Code: gone.EINVALID, Message: "A new subscription is not paused.",
				Fields: map[string]string{"paused": "only in a change"}})
			return
		}
		if err := gone.CheckWebhookReason(body.Reason); err != nil {
			s.writeError(w, r, err)
			return
		}
		now, actor := s.svc.Now().UTC(), callerFrom(r.Context()).Name
		h := &gone.Webhook{Name: body.Name, Kind: body.Kind, URL: body.URL, Secret: body.Secret, Host: body.Host,
			Collections: body.Collections, PathPrefix: body.PathPrefix, Types: body.Types,
			CreatedAt: now, CreatedBy: actor}
		if err := h.Check(); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := hooks.CreateWebhook(r.Context(), h, gone.WebhookAudit(nil, h, actor, body.Reason, now)); err != nil {
			s.writeError(w, r, err)
			return
		}
		v := viewWebhook(h)
		v.Secret = h.Secret
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Location", "/webhooks/"+h.Name)
		writeJSON(w, http.StatusCreated, v)
	})
}

// handleWebhook shows one subscription with its queue and the newest
// lines of its delivery log.
func (s *server) handleWebhook() http.Handler {
	return s.withHooks(func(w http.ResponseWriter, r *http.Request, hooks gone.WebhookStore) {
		name := r.PathValue("name")
		h, err := hooks.Webhook(r.Context(), name)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		_, queued, err := hooks.PendingWebhooks(r.Context(), name, 0)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		log, err := hooks.WebhookAttempts(r.Context(), name, 50)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		v := viewWebhook(h)
		v.Queued = &queued
		v.Deliveries = make([]deliveryView, 0, len(log))
		for _, a := range log {
			v.Deliveries = append(v.Deliveries, viewDelivery(a))
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, v)
	})
}

// handleUpdateWebhook changes a subscription's URL, filter or secret, or
// pauses or resumes it. Fields left out keep their values.
func (s *server) handleUpdateWebhook() http.Handler {
	return s.withHooks(func(w http.ResponseWriter, r *http.Request, hooks gone.WebhookStore) {
		var body webhookRequest
		if err := decodeStrict(r, &body); err != nil {
			s.writeError(w, r, err)
			return
		}
		name := r.PathValue("name")
		if body.Name != "" && body.Name != name {
			s.writeError(w, r, &gone.Error{Code: gone.EINVALID, Message: "A subscription cannot be renamed.",
				Fields: map[string]string{"name": "must be left out, or be " + name}})
			return
		}
		if err := gone.CheckWebhookReason(body.Reason); err != nil {
			s.writeError(w, r, err)
			return
		}
		now, actor := s.svc.Now().UTC(), callerFrom(r.Context()).Name
		h, err := hooks.UpdateWebhook(r.Context(), name, func(h *gone.Webhook) (gone.AuditEvent, error) {
			before := *h
			if body.Kind != "" {
				h.Kind = body.Kind
			}
			for dst, v := range map[*string]string{&h.URL: body.URL, &h.Secret: body.Secret, &h.Host: body.Host, &h.PathPrefix: body.PathPrefix} {
				if v != "" {
					*dst = v
				}
			}
			if body.Collections != nil {
				h.Collections = body.Collections
			}
			if body.Types != nil {
				h.Types = body.Types
			}
			switch {
			case body.Paused == nil:
			case *body.Paused && h.PausedAt.IsZero():
				h.PausedAt, h.PausedReason = now, "paused by "+actor
				if body.Reason != "" {
					h.PausedReason += ": " + body.Reason
				}
			case !*body.Paused:
				h.PausedAt, h.PausedReason, h.Failures = time.Time{}, "", 0
			}
			if err := h.Check(); err != nil {
				return gone.AuditEvent{}, err
			}
			return gone.WebhookAudit(&before, h, actor, body.Reason, now), nil
		})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, viewWebhook(h))
	})
}

// handleDeleteWebhook removes a subscription with its queue and log;
// ?reason= says why, for the audit log.
func (s *server) handleDeleteWebhook() http.Handler {
	return s.withHooks(func(w http.ResponseWriter, r *http.Request, hooks gone.WebhookStore) {
		reason := r.URL.Query().Get("reason")
		if err := gone.CheckWebhookReason(reason); err != nil {
			s.writeError(w, r, err)
			return
		}
		now, actor := s.svc.Now().UTC(), callerFrom(r.Context()).Name
		err := hooks.DeleteWebhook(r.Context(), r.PathValue("name"), func(h *gone.Webhook) gone.AuditEvent {
			return gone.WebhookAudit(h, nil, actor, reason, now)
		})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	})
}
