package gone

import (
	"testing"
	"time"
)

func TestExpand(t *testing.T) {
	tx := Texts{Noun: "User"}
	date := time.Date(2026, 1, 5, 10, 30, 0, 0, time.UTC)
	for _, c := range []struct{ msg, want string }{
		{"{noun} with ID {id} does not exist", "User with ID 7 does not exist"},
		{"deleted on {date}", "deleted on 2026-01-05"},
		{"{unknown} {id}{id} {", "{unknown} 77 {"},
		{"", ""},
		{"no placeholders", "no placeholders"},
	} {
		if got := tx.Expand(c.msg, "7", date); got != c.want {
			t.Errorf("Expand(%q) = %q, want %q", c.msg, got, c.want)
		}
	}
}
