package gone

import (
	"strings"
	"testing"
)

func TestIsReasonCode(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"user_request", true},
		{"legal_takedown_2", true},
		{"a_b", true},
		{"2026_policy", false}, // a code starts with a letter
		{"spam", true},         // one word is a code too
		{"spam2", true},
		{"Spam", false},
		{"", false},
		{"_", false},
		{"_spam", false},
		{"spam_", false},
		{"user__request", false},
		{"User_request", false},
		{"user request", false},
		{"User requested account deletion", false},
		{"user-request", false},
		{"user_request.", false},
		{"usér_request", false},
		{"user_request\n", false},
		{"user_\x00request", false},
		{"user_\xff", false},
		{"../user_request", false},
	}
	for _, tt := range tests {
		if got := IsReasonCode(tt.s); got != tt.want {
			t.Errorf("IsReasonCode(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestCheckReason(t *testing.T) {
	c := &Config{Reasons: map[string]map[string]string{"user_request": {"en": "User requested account deletion"}}}
	tests := []struct {
		name, reason string
		ok           bool
	}{
		{"empty", "", true},
		{"known code", "user_request", true},
		{"free text", "User requested account deletion", true},
		{"free text in Spanish", "El usuario solicitó la eliminación de la cuenta", true},
		{"one word, not in the catalog", "spam", false},
		{"one word, capitalised", "Spam", true},
		{"at the limit", strings.Repeat("A", MaxReasonLength), true},
		{"unknown code", "user_requst", false},
		{"too long", strings.Repeat("A", MaxReasonLength+1), false},
		{"newline", "spam\nSet-Cookie: x", false},
		{"NUL", "spam\x00", false},
		{"escape", "\x1b[31mred", false},
		{"DEL", "spam\x7f", false},
		{"C1 control", "spam\u0085", false},
		{"not UTF-8", "spam\xff", false},
	}
	for _, tt := range tests {
		err := c.checkReason(tt.reason)
		if tt.ok && err != nil {
			t.Errorf("%s: checkReason(%q) = %v, want nil", tt.name, tt.reason, err)
		}
		if !tt.ok {
			if code := ErrorCode(err); code != EINVALID {
				t.Errorf("%s: checkReason(%q) = %v, want code %q", tt.name, tt.reason, err, EINVALID)
			} else if e := err.(*Error); e.Fields["reason"] == "" {
				t.Errorf("%s: checkReason(%q) fields = %v, want a reason problem", tt.name, tt.reason, e.Fields)
			}
		}
	}
}

func TestCheckAlternative(t *testing.T) {
	tests := []struct {
		alt string
		ok  bool
	}{
		{"", true},
		{"/api/promotions/current", true},
		{"/", true},
		{"/api/users?sort=name#top", true},
		{"/api/%2Fusers", true},
		{"/señales", true},
		{"https://example.com/new", true},
		{"http://example.com", true},
		{"HTTPS://example.com/x", true},
		{"/" + strings.Repeat("a", MaxAlternativeLength-1), true},
		{"/" + strings.Repeat("a", MaxAlternativeLength), false},
		{"//evil.example", false},
		{"//evil.example/path", false},
		{"///evil.example", false},
		{"/\\evil.example", false},
		{"\\\\evil.example", false},
		{"javascript:alert(1)", false},
		{"JavaScript:alert(1)", false},
		{"data:text/html,<script>alert(1)</script>", false},
		{"vbscript:msgbox", false},
		{"ftp://example.com/file", false},
		{"mailto:a@example.com", false},
		{"https://", false},
		{"https:///path", false},
		{"http:/path", false},
		{"api/users", false},
		{"..", false},
		{".", false},
		{"a/b", false},
		{"%2F%2Fevil.example", false},
		{"/a b", false},
		{"/a\tb", false},
		{"/a\nb", false},
		{"/a\r\nLocation: //evil.example", false},
		{"/a\x00", false},
		{"/a\xff", false},
		{" /api/users", false},
		{"https://exa mple.com", false},
		{"https://example.com:notaport/", false},
		// Link header injection: the alternative is written as
		// Link: <alt>; rel="alternate".
		{`/x>;rel=stylesheet,<https://evil.example/x.css`, false},
		{`/x>; rel="stylesheet"`, false},
		{`/x"`, false},
		{"/x<y", false},
		{"/x{y}", false},
		{"/x|y", false},
		{"/x^y", false},
		{"/x`y", false},
		{"/a;b,c", true}, // sub-delims: inside <…> they end nothing
		{"/a%3Eb", true},
	}
	for _, tt := range tests {
		err := checkAlternative(tt.alt)
		if tt.ok && err != nil {
			t.Errorf("checkAlternative(%q) = %v, want nil", tt.alt, err)
		}
		if !tt.ok && ErrorCode(err) != EINVALID {
			t.Errorf("checkAlternative(%q) = %v, want code %q", tt.alt, err, EINVALID)
		}
	}
}
