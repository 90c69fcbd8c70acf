package httpapi

import (
	"time"

	"github.com/gonehttp/gone/answer"
)

// DefaultMaxRetryAfter caps the Retry-After of a 503 unless
// WithMaxRetryAfter says otherwise (answer.DefaultMaxRetryAfter says why).
const DefaultMaxRetryAfter = answer.DefaultMaxRetryAfter

// WithMaxRetryAfter caps the Retry-After header (and the retryAfter
// member) of 503 answers at d; d <= 0 keeps the default. availableAt keeps
// the exact end.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(s *server) {
		if d > 0 {
			s.maxRetryAfter = d
		}
	}
}
