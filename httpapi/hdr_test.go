package httpapi

import (
	"testing"

	"github.com/gonehttp/gone"
)

// etagValue spells every version as gone.Record.ETag does, in the table
// and past it.
func TestETagValue(t *testing.T) {
	for _, v := range []int64{0, 1, 2, 9, 10, 1023, 1024, 1 << 40, -1} {
		if got, want := etagValue(v), (&gone.Record{Version: v}).ETag(); got != want {
			t.Errorf("etagValue(%d) = %s, want %s", v, got, want)
		}
	}
}
