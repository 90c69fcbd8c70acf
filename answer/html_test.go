package answer

import (
	"net/http"
	"strings"
	"testing"
)

// The HTML page runs no script, loads nothing, may not be framed or
// sniffed, and asks not to be indexed; its own facts are escaped.
func TestHTMLPageHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("Cache-Control", "max-age=86400")
	p := New("/old/<b>", "en", http.StatusGone, `Removed "for good" <script>alert(1)</script>`)
	p.Alternative = "javascript:alert(1)"
	body := string(HTML(h, "en", p))
	for k, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"X-Robots-Tag":            "noindex",
		"Referrer-Policy":         "no-referrer",
		"Content-Type":            "text/html; charset=utf-8",
		"Cache-Control":           "max-age=86400",
	} {
		if got := h.Get(k); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q in it", k, got, want)
		}
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q does not forbid framing", h.Get("Content-Security-Policy"))
	}
	for _, bad := range []string{"<script>", "<b>", `href="javascript:`} {
		if strings.Contains(body, bad) {
			t.Errorf("the page holds %q unescaped:\n%s", bad, body)
		}
	}
}
