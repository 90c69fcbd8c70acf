package gone

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseDuration reads a duration as the config and the API do: a Go duration
// ("90s", "720h") or whole days ("30d"); never negative.
func ParseDuration(s string) (time.Duration, error) { return ParseDurationOr(s, 0) }

// ParseDurationOr is ParseDuration with def for an empty s.
func ParseDurationOr(s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		// Refuse rather than wrap: 213503982336d would otherwise come out
		// as 33 hours.
		if day := int64(24 * time.Hour); int64(n) > math.MaxInt64/day || int64(n) < -math.MaxInt64/day {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("bad duration %q", s)
		}
	}
	if d < 0 {
		return 0, fmt.Errorf("negative duration %q", s)
	}
	return d, nil
}
