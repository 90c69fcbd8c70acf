package httpapi

import (
	"math"
	"time"
)

// DefaultMaxRetryAfter caps the Retry-After of a 503 unless
// WithMaxRetryAfter says otherwise.
//
// Why a cap: a resource withheld until a date years away would otherwise
// say "Retry-After: 98067306". Common HTTP clients turn that delay into a
// timer, and JavaScript timers (Node's setTimeout, which got, ky and
// axios-retry use) hold at most 2^31-1 ms, about 24.8 days: a longer delay
// overflows and fires at once, so those clients retry in a tight loop. An
// hour is long enough not to hammer the server and short enough for any
// client; the exact end is in the problem body as availableAt.
const DefaultMaxRetryAfter = time.Hour

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

// cappedRetryAfter is the Retry-After delay until at, in whole seconds: at
// least 1, at most max (the server's cap, or the proxy's).
func cappedRetryAfter(at, now time.Time, max time.Duration) int {
	secs := math.Ceil(at.Sub(now).Seconds())
	limit := math.Max(1, math.Floor(max.Seconds()))
	return int(math.Max(1, math.Min(secs, limit)))
}
