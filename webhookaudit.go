package gone

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// WebhooksCollection is the collection name subscription changes carry in
// the audit log (the id is the subscription's name). No collection may be
// called so, and no subscription hears of these events: they change no
// resource's answer.
const WebhooksCollection = "webhooks"

// WebhookAudit is the audit record of a change to a subscription: who
// (actor), when (at), what (action and detail) and why (reason). The
// secret never appears in it: a new or changed secret is noted as such.
func WebhookAudit(before, after *Webhook, actor, reason string, at time.Time) AuditEvent {
	e := AuditEvent{At: at, Actor: actor, Collection: WebhooksCollection, Reason: reason}
	switch {
	case before == nil:
		e.Action, e.ID, e.Detail = ActionWebhookCreate, after.Name, webhookDetail(after)
	case after == nil:
		e.Action, e.ID, e.Detail = ActionWebhookDelete, before.Name, webhookDetail(before)
	default:
		e.Action, e.ID, e.Detail = webhookChange(before, after)
	}
	return e
}

// webhookDetail describes a subscription for the audit log, without its
// secret and without a password in its URL.
func webhookDetail(w *Webhook) string {
	parts := []string{"kind=" + string(w.Kind), "url=" + redactURL(w.URL)}
	if w.Host != "" {
		parts = append(parts, "host="+w.Host)
	}
	if len(w.Collections) > 0 {
		parts = append(parts, "collections="+strings.Join(w.Collections, ","))
	}
	if w.PathPrefix != "" {
		parts = append(parts, "pathPrefix="+w.PathPrefix)
	}
	if len(w.Types) > 0 {
		parts = append(parts, "types="+JoinChangeTypes(w.Types, ","))
	}
	return strings.Join(parts, " ")
}

// webhookChange names what a change did: a pause or a resume when that
// is all it did, else an update that lists the fields it changed.
func webhookChange(before, after *Webhook) (action, id, detail string) {
	var parts []string
	note := func(changed bool, field, value string) {
		if changed {
			parts = append(parts, field+"="+value)
		}
	}
	note(before.Kind != after.Kind, "kind", string(after.Kind))
	note(before.URL != after.URL, "url", redactURL(after.URL))
	note(before.Host != after.Host, "host", after.Host)
	note(!slices.Equal(before.Collections, after.Collections), "collections", strings.Join(after.Collections, ","))
	note(before.PathPrefix != after.PathPrefix, "pathPrefix", after.PathPrefix)
	note(!slices.Equal(before.Types, after.Types), "types", JoinChangeTypes(after.Types, ","))
	if before.Secret != after.Secret {
		parts = append(parts, "secret changed")
	}
	wasPaused, paused := !before.PausedAt.IsZero(), !after.PausedAt.IsZero()
	switch {
	case len(parts) == 0 && !wasPaused && paused:
		return ActionWebhookPause, after.Name, after.PausedReason
	case len(parts) == 0 && wasPaused && !paused:
		return ActionWebhookResume, after.Name, "was " + before.PausedReason
	case !wasPaused && paused:
		parts = append(parts, "paused")
	case wasPaused && !paused:
		parts = append(parts, "resumed")
	}
	if len(parts) == 0 {
		parts = append(parts, "no change")
	}
	return ActionWebhookUpdate, after.Name, strings.Join(parts, " ")
}

// redactURL hides the password a URL may carry; the rest of it is what an
// admin sees through the API too.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return u.Redacted()
}

// CheckWebhookReason validates the why of a subscription change: free
// text, as a delete's reason, at most MaxReasonLength bytes.
func CheckWebhookReason(reason string) error {
	switch {
	case len(reason) > MaxReasonLength:
		return invalid("reason", "must be at most 500 bytes")
	case !validText(reason):
		return invalid("reason", "must be UTF-8 text without control characters")
	}
	return nil
}
