package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Promise: one route suggestion computes at most maxSuggestCells cells of
// the edit distance tables, however many collections the config names and
// however long the path; a path past maxSuggestPath computes none. Work is
// counted, not timed.
func TestRouteSuggestionStaysWithinItsBudget(t *testing.T) {
	t.Parallel()
	s := &server{prefix: "/api"}
	s.addRoutes(http.NewServeMux())
	for i := range 5000 {
		s.collections = append(s.collections, fmt.Sprintf("collection-with-a-long-name-%05d", i))
	}
	long := "/api/collection-with-a-long-name-0000x/" + strings.Repeat("i", 180)
	cases := []struct {
		name, path string
		most       int
	}{
		{"long path near thousands of collections", long, maxSuggestCells},
		{"short typo", "/api/collection-with-a-long-name-0000x", maxSuggestCells},
		{"past maxSuggestPath", "/api/" + strings.Repeat("x", 4096), 0},
	}
	for _, c := range cases {
		_, cells := s.suggestCounted(context.Background(), c.path, false)
		if cells > c.most {
			t.Errorf("%s: %d cells computed, want at most %d", c.name, cells, c.most)
		}
	}
	// Within the budget it still finds a route one edit away.
	if got := s.suggest(context.Background(), "/api/collection-with-a-long-name-0000x", false); !strings.HasPrefix(got, "/api/collection-with-a-long-name-0000") {
		t.Errorf("suggest(one edit from a collection) = %q, want that collection", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, cells := s.suggestCounted(ctx, long, false); cells != 0 {
		t.Errorf("cancelled: %d cells computed, want 0", cells)
	}
}
