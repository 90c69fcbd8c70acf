package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/gonehttp/gone"
)

// Event is the JSON body of a webhook, in the Standard Webhooks shape:
// a type, a timestamp and the data.
type Event struct {
	// Type is "resource." or "rule." and the change type, e.g.
	// "resource.gone" or "rule.moved".
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      EventData `json:"data"`
}

// EventData says what changed.
type EventData struct {
	// Seq is the audit event's sequence number (0 for an event a time
	// passing caused, which no write recorded).
	Seq        int64           `json:"seq,omitempty"`
	Change     gone.ChangeType `json:"change"`
	Collection string          `json:"collection"`
	ID         string          `json:"id"`
	// Path is the public path whose answer changed; Prefix is true for a
	// prefix rule, whose change affects every path below Path.
	Path   string `json:"path"`
	Prefix bool   `json:"prefix,omitempty"`
	// Action is the audit action ("delete", "restore", …); Cause is
	// "write" for a change someone made and "time" for an expiry or a
	// restore window that ended.
	Action           string     `json:"action,omitempty"`
	Cause            string     `json:"cause"`
	At               time.Time  `json:"at"`
	Actor            string     `json:"actor,omitempty"`
	Reason           string     `json:"reason,omitempty"`
	MovedTo          string     `json:"movedTo,omitempty"`
	ExpiresAt        *time.Time `json:"expiresAt,omitempty"`
	UnavailableUntil *time.Time `json:"unavailableUntil,omitempty"`
}

// change is one lifecycle change on its way to the queues.
type change struct {
	gone.WebhookEvent
	msgID  string
	prefix bool
	action string
	cause  string
}

// path returns the public path of (collection, id): a rule's own path, or
// the API's path of a resource.
func path(apiPrefix, collection, id string) (string, bool) {
	if collection == gone.RulesCollection {
		if k, ok := gone.ParseRuleID(id); ok {
			return k.Path, k.Prefix
		}
	}
	return apiPrefix + "/" + collection + "/" + id, false
}

func (c change) body(now time.Time) []byte {
	kind := "resource."
	if c.Collection == gone.RulesCollection {
		kind = "rule."
	}
	d := EventData{Seq: c.Seq, Change: c.Type, Collection: c.Collection, ID: c.ID, Path: c.Path, Prefix: c.prefix,
		Action: c.action, Cause: c.cause, At: c.At.UTC(), Actor: c.Actor, Reason: c.Reason, MovedTo: c.MovedTo,
		ExpiresAt: optTime(c.ExpiresAt), UnavailableUntil: optTime(c.UnavailableUntil)}
	b, _ := json.Marshal(Event{Type: kind + string(c.Type), Timestamp: now.UTC(), Data: d})
	return b
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// timerID names the message of a timer: stable, so the id a receiver
// deduplicates by is the same however often the timer is looked at.
func timerID(t gone.WebhookTimer) string {
	h := sha256.Sum256([]byte(t.Collection + "/" + t.ID))
	return "msg_" + t.Kind + "_" + strconv.FormatInt(t.Due.UnixMilli(), 10) + "_" + hex.EncodeToString(h[:8])
}
