package pgtest

import (
	"strings"
	"testing"
)

func TestNotice(t *testing.T) {
	none := func(string) string { return "" }
	line := Notice(none)
	for _, want := range []string{"GONE_TEST_POSTGRES", "scripts/pg-test.sh start", "skipped"} {
		if !strings.Contains(line, want) {
			t.Errorf("Notice without PostgreSQL = %q; want it to name %q", line, want)
		}
	}
	if strings.Contains(line, "\n") {
		t.Errorf("Notice = %q, want one line", line)
	}
	if got := Notice(func(string) string { return "postgres://x" }); got != "" {
		t.Errorf("Notice with PostgreSQL = %q, want nothing", got)
	}
}
