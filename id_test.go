package gone

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// idGrammar is ValidID's documented grammar as a regular expression, the
// oracle for the table and the fuzz test.
var idGrammar = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$`)

func TestValidID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"123", true},
		{"a", true},
		{"Z", true},
		{"0", true},
		{"summer-sale-2025", true},
		{"a.b_c~d-e", true},
		{"a..", true}, // not a dot segment: it starts with a letter
		{"abc.", true},
		{strings.Repeat("a", MaxIDLength), true},
		{strings.Repeat("a", MaxIDLength+1), false},
		{strings.Repeat("a", 10000), false},
		{"", false},
		{".", false},
		{"..", false},
		{"...", false},
		{".hidden", false},
		{"-a", false},
		{"_a", false},
		{"~a", false},
		{"a/b", false},
		{"/", false},
		{"../etc/passwd", false},
		{"a\\b", false},
		{"%2F", false},
		{"a%2Fb", false},
		{"a%2e%2e", false},
		{"a b", false},
		{"a+b", false},
		{"a?b", false},
		{"a#b", false},
		{"a;b", false},
		{"a:b", false},
		{"a@b", false},
		{"a\x00", false},
		{"a\n", false},
		{"a\r\nSet-Cookie: x", false},
		{"a\x7f", false},
		{"\xff", false},
		{"a\xff", false},
		{"a\xc3\xa9", false}, // é: ids are ASCII
		{"ñ", false},
		{"١٢٣", false}, // Arabic-Indic digits are not ALNUM
		{"//evil.example", false},
		{"javascript:alert(1)", false},
		{"<script>", false},
	}
	for _, tt := range tests {
		if got := ValidID(tt.id); got != tt.want {
			t.Errorf("ValidID(%q) = %v, want %v", tt.id, got, tt.want)
		}
		if oracle := idGrammar.MatchString(tt.id); oracle != tt.want {
			t.Errorf("table disagrees with the grammar for %q: grammar says %v", tt.id, oracle)
		}
	}
}

func TestValidCollection(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"users", true},
		{"a", true},
		{"promotions-2025", true},
		{"a1", true},
		{strings.Repeat("a", 63), true},
		{strings.Repeat("a", 64), false},
		{"", false},
		{"Users", false},
		{"uSers", false},
		{"1users", false},
		{"-users", false},
		{"users_old", false},
		{"users.json", false},
		{".", false},
		{"..", false},
		{"a/b", false},
		{"%2F", false},
		{"users ", false},
		{"us\x00ers", false},
		{"usérs", false},
		{"\xff", false},
		{"//evil.example", false},
		{"javascript:alert(1)", false},
	}
	for _, tt := range tests {
		if got := ValidCollection(tt.name); got != tt.want {
			t.Errorf("ValidCollection(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// FuzzValidID: ValidID agrees with the grammar, and a valid id is a single
// path segment that needs no escaping.
func FuzzValidID(f *testing.F) {
	for _, s := range []string{"123", "", ".", "..", "a/b", "%2F", "a..", "-a", "\xff", "a\x00", "ñ",
		strings.Repeat("a", MaxIDLength), strings.Repeat("a", MaxIDLength+1), "//evil.example", "javascript:alert(1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		got := ValidID(id)
		if want := idGrammar.MatchString(id); got != want {
			t.Fatalf("ValidID(%q) = %v, grammar says %v", id, got, want)
		}
		if !got {
			return
		}
		if !utf8.ValidString(id) || len(id) > MaxIDLength || id == "." || id == ".." {
			t.Fatalf("ValidID(%q) = true for an id that is not a safe segment", id)
		}
		if esc := url.PathEscape(id); esc != id {
			t.Fatalf("ValidID(%q) = true but it escapes to %q", id, esc)
		}
		if u, err := url.Parse("/api/users/" + id); err != nil || u.Path != "/api/users/"+id {
			t.Fatalf("ValidID(%q) = true but /api/users/%s parses to %v, %v", id, id, u, err)
		}
	})
}
