package editdist

import "testing"

func TestWithin(t *testing.T) {
	for _, c := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"", "", 5, 0},
		{"kitten", "sitting", 10, 3},
		{"/api/users", "/api/user", 10, 1},
		{"/api/users", "/api/usres", 10, 2},
		{"abc", "xyz", 10, 3},
		{"kitten", "sitting", 3, 3}, // at the limit: the limit
		{"kitten", "sitting", 2, 2},
		{"a", "abcdefgh", 4, 4},
	} {
		if got := Within(c.a, c.b, c.limit); got != c.want {
			t.Errorf("Within(%q, %q, %d) = %d, want %d", c.a, c.b, c.limit, got, c.want)
		}
	}
}
