package editdist

import (
	"strings"
	"testing"
)

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

// full is the textbook distance, to check the banded one against.
func full(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// The band changes no answer: every pair of short strings over a small
// alphabet, at every limit, agrees with the full table.
func TestWithinAgreesWithTheFullTable(t *testing.T) {
	t.Parallel()
	var words []string
	var gen func(prefix string, n int)
	gen = func(prefix string, n int) {
		words = append(words, prefix)
		if n == 0 {
			return
		}
		for _, c := range "ab/" {
			gen(prefix+string(c), n-1)
		}
	}
	gen("", 4)
	for _, a := range words {
		for _, b := range words {
			want := full(a, b)
			for limit := 1; limit <= 6; limit++ {
				if got := Within(a, b, limit); got != min(want, limit) {
					t.Fatalf("Within(%q, %q, %d) = %d, want %d", a, b, limit, got, min(want, limit))
				}
			}
		}
	}
}

// The work of a comparison is bounded by the band, not by the product of
// the lengths, and a Budget stops the comparisons that would exceed it.
func TestBudgetCountsCells(t *testing.T) {
	t.Parallel()
	a := strings.Repeat("/abcdefgh", 200)
	b := strings.Repeat("/abcdefgh", 199) + "/abcdefgX"
	bud := NewBudget(1 << 30)
	if d, ok := bud.Within(a, b, 5); !ok || d != 1 {
		t.Errorf("Within(long, long with one change, 5) = %d, %v; want 1, true", d, ok)
	}
	if got, most := bud.Used(), (len(a)+1)*(2*5-1); got > most {
		t.Errorf("one banded comparison of %d bytes computed %d cells, want at most %d", len(a), got, most)
	}
	small := NewBudget(1000)
	if _, ok := small.Within(a, b, 5); ok {
		t.Error("a comparison past the budget reported ok")
	}
	if small.Used() > 1000 || !small.Spent() {
		t.Errorf("budget of 1000 cells: used %d, spent %v; want at most 1000 and spent", small.Used(), small.Spent())
	}
	if _, ok := small.Within("a", "b", 5); ok {
		t.Error("a spent budget compared again")
	}
}
