package httpapi

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
)

// Why a change stream ended, in its end event.
const (
	endRevoked     = "revoked"
	endExpired     = "expired"
	endUnknown     = "unknown"     // the token is no longer in the store
	endUnavailable = "unavailable" // the store did not answer the check
	endLifetime    = "lifetime"
)

// streamEnd is the data of a stream's last event, "end".
type streamEnd struct {
	Reason  string `json:"reason"`
	Message string `json:"message"`
	// At is when the token was revoked or expired.
	At string `json:"at,omitempty"`
}

// event is e as one Server-Sent Event. It has no id, so a reader's
// Last-Event-ID stays that of the last change it saw.
func (e streamEnd) event() []byte {
	data, _ := json.Marshal(e)
	return fmt.Appendf(nil, "event: end\ndata: %s\n\n", data)
}

// tokenEnd checks the stream's token again, as authenticate did when the
// stream opened: nil while it is still valid (a bootstrap token always
// is), else why the stream must end. A store that does not answer ends the
// stream too: unsure is not valid, and the reader's reconnect is checked
// afresh.
func (s *server) tokenEnd(r *http.Request) *streamEnd {
	_, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	secret = strings.TrimSpace(secret)
	if !ok || secret == "" {
		return nil // the feed needs a token: authenticate let none in without one
	}
	if _, ok := s.tokens.lookup(sha256.Sum256([]byte(secret))); ok {
		return nil
	}
	_, err := s.svc.Authenticate(r.Context(), secret)
	if err == nil {
		return nil
	}
	var e *gone.Error
	switch {
	case gone.ErrorCode(err) != gone.EUNAUTHORIZED:
		return &streamEnd{Reason: endUnavailable, Message: "The token could not be checked again: the store did not answer; reconnect."}
	case errors.As(err, &e) && e.Token != nil:
		end := &streamEnd{Reason: endRevoked, Message: gone.ErrorMessage(err), At: answer.Stamp(e.Token.RevokedAt)}
		if e.Token.State(s.svc.Now()) == gone.TokenExpired {
			end.Reason, end.At = endExpired, answer.Stamp(e.Token.ExpiresAt)
		}
		return end
	default:
		return &streamEnd{Reason: endUnknown, Message: gone.ErrorMessage(err)}
	}
}

// streamCounts counts the open streams of each caller, so that one token
// cannot hold every stream an instance may open.
type streamCounts struct {
	mu sync.Mutex
	n  map[string]int
}

// open takes a place for name's stream, unless it holds most already.
func (c *streamCounts) open(name string, most int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	if c.n[name] >= most {
		return false
	}
	c.n[name]++
	return true
}

// close gives name's place back.
func (c *streamCounts) close(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[name]--; c.n[name] <= 0 {
		delete(c.n, name)
	}
}

// writeTooManyStreams answers a stream request of a caller that holds as
// many streams as it may: 429, as its own open streams are what to close.
func (s *server) writeTooManyStreams(w http.ResponseWriter, r *http.Request) {
	const retry = 5 * time.Second
	w.Header().Set("Retry-After", "5")
	s.writeErrorWith(w, r, gone.Errorf(gone.ETOOMANY, "This token holds as many change streams as it may on this server; close one, or read pages without Accept: text/event-stream."), func(p *answer.Problem) {
		p.RetryAfter = int(retry.Seconds())
	})
}
