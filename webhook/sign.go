// Package webhook delivers gone's lifecycle changes to subscriptions: signed
// JSON events (the Standard Webhooks specification) and cache purges
// (Varnish, nginx). It follows the audit log with a durable cursor, queues
// each change per subscription in the store, and sends each queue in order
// until the receiver acknowledges.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gonehttp/gone"
)

// Sign returns the webhook-signature header value for a message, as the
// Standard Webhooks specification defines it: "v1," and the base64 of
// HMAC-SHA256 over "id.timestamp.body", keyed by the secret's decoded
// base64 part.
func Sign(secret, id string, at time.Time, body []byte) string {
	key, _ := gone.WebhookKey(secret)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(at.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify reports whether header (a space-separated list of signatures, as
// the specification allows during a secret's rotation) holds a valid
// signature of the message, and whether at is within tolerance of now.
// It is what a Go receiver needs; examples/purge-receiver uses it.
func Verify(secret, id, timestamp string, body []byte, header string, now time.Time, tolerance time.Duration) bool {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	at := time.Unix(ts, 0)
	if d := now.Sub(at); d > tolerance || d < -tolerance {
		return false
	}
	want := Sign(secret, id, at, body)
	for _, sig := range strings.Fields(header) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}
