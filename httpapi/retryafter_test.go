package httpapi_test

import (
	"testing"
	"time"

	"github.com/gonehttp/gone/httpapi"
)

// A maintenance window years long does not become a Retry-After that
// overflows clients' 32-bit timers: the header (and retryAfter) is capped,
// by default at one hour, and availableAt carries the exact end.
func TestRetryAfterCapped(t *testing.T) {
	tests := []struct {
		name  string
		opts  []httpapi.Option
		until string
		want  string // Retry-After
	}{
		{"years away, default cap", nil, "2030-01-01T00:00:00Z", "3600"},
		{"years away, cap of 10 minutes", []httpapi.Option{httpapi.WithMaxRetryAfter(10 * time.Minute)}, "2030-01-01T00:00:00Z", "600"},
		{"within the cap", nil, "2026-11-22T12:10:00Z", "600"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			w := e.admin("PATCH", "/api/users/42/lifecycle", `{"unavailableUntil":"`+tt.until+`"}`)
			must(t, w, 200, "withhold")
			e.h = e.world.Handler(nil, tt.opts...)
			w = e.get("/api/users/42")
			must(t, w, 503, "withheld")
			if got := w.Header().Get("Retry-After"); got != tt.want {
				t.Errorf("Retry-After = %q, want %q", got, tt.want)
			}
			m := members(t, w)
			if m["availableAt"] != tt.until {
				t.Errorf("availableAt = %v, want %s", m["availableAt"], tt.until)
			}
			if got, ok := m["retryAfter"].(float64); !ok || got > 3600 {
				t.Errorf("retryAfter = %v, want the capped delay", m["retryAfter"])
			}
		})
	}
}
