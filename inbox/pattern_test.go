package inbox

import "testing"

func TestPatternMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/wp-login.php", "/wp-login.php", true},
		{"/wp-login.php", "/blog/wp-login.php", false},
		{"*.php", "/wp-login.php", true},
		{"*.php", "/deep/down/x.php", true},
		{"*.php", "/x.php/more", false},
		{"*.php", "/phpinfo", false},
		{".env", "/app/.env", true},
		{"/cgi-bin/*.cgi", "/cgi-bin/test.cgi", true},
		{"/cgi-bin/*.cgi", "/cgi-bin/a/test.cgi", false},
		{"/wp-admin/**", "/wp-admin/setup.php", true},
		{"/wp-admin/**", "/wp-admin/a/b/c", true},
		{"/wp-admin/**", "/wp-admin", false},
		{"/wp-admin/**", "/wp-administrator/x", false},
		{"/*/wp-includes/**", "/blog/wp-includes/x.js", true},
		{"/*/wp-includes/**", "/wp-includes/x.js", false},
	}
	for _, tt := range tests {
		p, err := ParsePattern(tt.pattern)
		if err != nil {
			t.Fatalf("ParsePattern(%q): %v", tt.pattern, err)
		}
		if got := (Patterns{p}).Match(tt.path); got != tt.want {
			t.Errorf("pattern %q on %q: match = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestParsePatternRefuses(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", "wp/*.php", "/[a", "[", "/a\nb", string(make([]byte, 300))} {
		if _, err := ParsePattern(p); err == nil {
			t.Errorf("ParsePattern(%q) = nil error, want EINVALID", p)
		}
	}
}
