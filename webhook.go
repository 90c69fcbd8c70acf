package gone

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Webhook is a subscription to lifecycle changes: every change that passes
// its filter is sent to URL, in order, until a 2xx says it arrived.
//
// Kind says what is sent: a signed JSON event (WebhookJSON), or a cache
// purge of the changed path (Varnish's PURGE or BAN, nginx's cache_purge).
type Webhook struct {
	Name string
	Kind WebhookKind
	URL  string
	// Secret signs JSON events (Standard Webhooks: "whsec_" and base64).
	Secret string
	// Host is the Host header of purge requests: the name the cache keyed
	// its copies by, when it differs from URL's host.
	Host string
	// The filter; empty means every collection, path and type.
	Collections []string
	PathPrefix  string
	Types       []ChangeType

	CreatedAt time.Time
	CreatedBy string
	// SinceSeq is the audit log's last sequence number when the
	// subscription was created (the store sets it): it hears of the
	// changes after it, none before.
	SinceSeq int64
	// Failures counts the attempts that failed since the last success.
	Failures int
	// PausedAt is set when the subscription failed too often; nothing is
	// sent until it is resumed, but changes keep queueing for it.
	PausedAt     time.Time
	PausedReason string
}

// WebhookKind is what a subscription sends.
type WebhookKind string

// The kinds of subscription.
const (
	WebhookJSON  WebhookKind = "webhook"     // a signed JSON event, POSTed
	PurgeVarnish WebhookKind = "varnish"     // PURGE <path> to Varnish
	BanVarnish   WebhookKind = "varnish-ban" // BAN with X-Ban-Url: ^<path>, prefixes included
	PurgeNginx   WebhookKind = "nginx"       // PURGE <path> to nginx's cache_purge
	// IndexNow tells search engines (the IndexNow protocol) that the URL
	// changed: Secret is the site's key, Host the site's host name.
	IndexNow WebhookKind = "indexnow"
)

// WebhookKinds lists the kinds, for validation and help texts.
var WebhookKinds = []WebhookKind{WebhookJSON, PurgeVarnish, BanVarnish, PurgeNginx, IndexNow}

// Purges reports whether the kind purges a cache.
func (k WebhookKind) Purges() bool { return k == PurgeVarnish || k == BanVarnish || k == PurgeNginx }

// WebhookEvent is one change as a subscription's filter sees it.
type WebhookEvent struct {
	Change
	// Path is the public path whose answer changed (/api/users/7, or a
	// rule's path with "*" after a prefix rule).
	Path string
}

// Wants reports whether the subscription's filter passes ev.
func (w *Webhook) Wants(ev WebhookEvent) bool {
	if len(w.Collections) > 0 && !slices.Contains(w.Collections, ev.Collection) {
		return false
	}
	if len(w.Types) > 0 && !slices.Contains(w.Types, ev.Type) {
		return false
	}
	return w.PathPrefix == "" || strings.HasPrefix(ev.Path, w.PathPrefix)
}

// Check validates a subscription as a caller gave it: EINVALID with a
// problem per field. A JSON subscription without a secret gets a new one.
func (w *Webhook) Check() error {
	fields := map[string]string{}
	if !ValidCollection(w.Name) {
		fields["name"] = "must be lower-case letters, digits and -, starting with a letter, at most 63 characters"
	}
	if w.Kind == "" {
		w.Kind = WebhookJSON
	}
	if !slices.Contains(WebhookKinds, w.Kind) {
		fields["kind"] = "must be one of webhook, varnish, varnish-ban, nginx, indexnow"
	}
	if u, err := url.Parse(w.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fields["url"] = "must be an http(s) URL such as https://example.com/hooks"
	}
	switch {
	case w.Kind.Purges() && w.Secret != "":
		fields["secret"] = "purge targets are not signed; leave it out"
	case w.Kind == WebhookJSON && w.Secret == "":
		w.Secret = NewWebhookSecret()
	case w.Kind == WebhookJSON && !validSecret(w.Secret):
		fields["secret"] = `must be "whsec_" and the base64 of 24 to 64 random bytes`
	}
	if w.Kind == IndexNow && len(w.Types) == 0 {
		// Search engines are told of retired and moved URLs.
		w.Types = []ChangeType{ChangeGone, ChangeExpired, ChangeMoved}
	}
	if w.Kind == IndexNow && !validIndexNowKey(w.Secret) {
		fields["secret"] = "must be the site's IndexNow key: 8 to 128 letters, digits and -"
	}
	switch {
	case w.Kind == IndexNow && (w.Host == "" || strings.ContainsAny(w.Host, "/:")):
		fields["host"] = "must be the site's host name, e.g. www.example.com"
	case w.Host != "" && !w.Kind.Purges() && w.Kind != IndexNow:
		fields["host"] = "only purge and IndexNow targets take a host"
	}
	for _, c := range w.Collections {
		if !ValidCollection(c) && c != RulesCollection {
			fields["collections"] = "each must be a collection name"
		}
	}
	if w.PathPrefix != "" && !strings.HasPrefix(w.PathPrefix, "/") {
		fields["pathPrefix"] = "must start with /"
	}
	for _, t := range w.Types {
		if !slices.Contains(ChangeTypes, t) {
			fields["types"] = "each must be one of " + strings.Join(changeTypeNames(), ", ")
		}
	}
	if len(fields) > 0 {
		return &Error{Code: EINVALID, Message: "The subscription is not valid.", Fields: fields}
	}
	return nil
}

// ChangeTypes lists every change type.
var ChangeTypes = []ChangeType{ChangeCreated, ChangeUpdated, ChangeDeleted, ChangeRestored, ChangeGone,
	ChangeExpired, ChangeExpiring, ChangeMoved, ChangeUnavailable, ChangeLifecycle}

// JoinChangeTypes writes ts joined by sep: how the stores keep a
// subscription's types (a space; SplitChangeTypes reads them back) and
// the audit log notes them (a comma).
func JoinChangeTypes(ts []ChangeType, sep string) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, sep)
}

// SplitChangeTypes reads the space-separated types JoinChangeTypes wrote.
func SplitChangeTypes(s string) []ChangeType {
	var out []ChangeType
	for _, f := range strings.Fields(s) {
		out = append(out, ChangeType(f))
	}
	return out
}

func changeTypeNames() []string {
	s := make([]string, len(ChangeTypes))
	for i, t := range ChangeTypes {
		s[i] = string(t)
	}
	return s
}

// NewWebhookSecret returns a fresh signing secret: "whsec_" and the base64
// of 32 random bytes, as Standard Webhooks' libraries expect.
func NewWebhookSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return "whsec_" + base64.StdEncoding.EncodeToString(b[:])
}

// WebhookKey returns the HMAC key of a secret: its base64 part, decoded.
func WebhookKey(secret string) ([]byte, bool) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	return b, err == nil && strings.HasPrefix(secret, "whsec_")
}

// validIndexNowKey checks a key as the IndexNow protocol defines it.
func validIndexNowKey(k string) bool {
	if len(k) < 8 || len(k) > 128 {
		return false
	}
	for _, c := range k {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

func validSecret(s string) bool {
	k, ok := WebhookKey(s)
	return ok && len(k) >= 24 && len(k) <= 64
}

// WebhookMessage is one change queued for one subscription. Seq orders a
// subscription's queue; the store assigns it.
type WebhookMessage struct {
	Seq     int64
	Webhook string
	// ID is the message's webhook-id: the same on every retry, so a
	// receiver can drop a duplicate.
	ID string
	// Path is what a purge target purges; Body is what a JSON one posts.
	Path      string
	Prefix    bool
	Body      []byte
	CreatedAt time.Time
	Attempts  int
	NextAt    time.Time
}

// WebhookAttempt is one try at delivering a message: a line of the
// subscription's delivery log.
type WebhookAttempt struct {
	Webhook   string
	Seq       int64 // the message's queue position
	MessageID string
	At        time.Time
	Attempt   int
	// Status is the receiver's HTTP status, 0 when none came.
	Status    int
	Error     string
	Duration  time.Duration
	Delivered bool
}

// WebhookTimer asks for a check at Due: an expiry or the end of a restore
// window, which no write marks in the audit log.
type WebhookTimer struct {
	Collection, ID string
	Kind           string // TimerExpiry or TimerTrash
	Due            time.Time
}

// The timer kinds.
const (
	TimerExpiry = "expiry"
	TimerTrash  = "trash"
)

// WebhookBatch is what the deliverer commits in one transaction: the
// messages of audit events From < seq <= To, the timers they set, and the
// timers that fired. The store refuses it (ECONFLICT) unless the cursor is
// still at From, so two deliverers never queue one event twice.
type WebhookBatch struct {
	From, To   int64
	Messages   []WebhookMessage
	Timers     []WebhookTimer
	DoneTimers []WebhookTimer
}

// WebhookStore keeps subscriptions, their queues and delivery logs, the
// deliverer's cursor into the audit log and its lease. sqlite.Store and
// postgres.Store implement it; storetest defines it.
type WebhookStore interface {
	// CreateWebhook adds w and appends e to the audit log in one
	// transaction, or returns ECONFLICT if its name is taken (and keeps
	// neither). It sets w.SinceSeq to the audit log's last sequence
	// number before e.
	CreateWebhook(ctx context.Context, w *Webhook, e AuditEvent) error
	// UpdateWebhook replaces the named subscription with fn's result and
	// appends the audit event fn returns, in one transaction, or returns
	// ENOTFOUND; nothing is kept if fn fails. Failures, PausedAt and
	// PausedReason are written too: resuming clears them.
	UpdateWebhook(ctx context.Context, name string, fn func(*Webhook) (AuditEvent, error)) (*Webhook, error)
	// DeleteWebhook removes the subscription, its queue and its log, and
	// appends the audit event audit returns for it, in one transaction;
	// or returns ENOTFOUND.
	DeleteWebhook(ctx context.Context, name string, audit func(before *Webhook) AuditEvent) error
	// Webhook returns the named subscription, or ENOTFOUND.
	Webhook(ctx context.Context, name string) (*Webhook, error)
	// Webhooks returns every subscription, ordered by name.
	Webhooks(ctx context.Context) ([]*Webhook, error)
	// WebhookCursor returns the highest audit seq already queued.
	WebhookCursor(ctx context.Context) (int64, error)
	// EnqueueWebhooks commits b, or returns ECONFLICT when the cursor is
	// no longer at b.From (then nothing is written).
	EnqueueWebhooks(ctx context.Context, b WebhookBatch) error
	// DueWebhookTimers returns up to limit timers due at or before now,
	// the earliest first.
	DueWebhookTimers(ctx context.Context, now time.Time, limit int) ([]WebhookTimer, error)
	// PendingWebhooks returns up to limit queued messages of one
	// subscription, oldest first, and how many are queued in all.
	PendingWebhooks(ctx context.Context, name string, limit int) ([]WebhookMessage, int, error)
	// RecordWebhookAttempt logs a, and then: a delivered message leaves
	// the queue and the subscription's Failures return to 0; a failed one
	// stays, to be tried again at retry, and Failures grows; a non-empty
	// pause also pauses the subscription with that reason. The log keeps
	// the newest WebhookLogSize attempts of each subscription.
	RecordWebhookAttempt(ctx context.Context, a WebhookAttempt, retry time.Time, pause string) error
	// WebhookAttempts returns up to limit attempts of one subscription,
	// newest first.
	WebhookAttempts(ctx context.Context, name string, limit int) ([]WebhookAttempt, error)
	// WebhookLease makes holder the deliverer until until, if no other
	// holder's lease runs past now; it reports whether holder has it.
	WebhookLease(ctx context.Context, holder string, now, until time.Time) (bool, error)
}

// WebhookLogSize is how many attempts a subscription's log keeps.
const WebhookLogSize = 200
