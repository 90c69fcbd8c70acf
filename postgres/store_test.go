package postgres

import (
	"testing"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/internal/pgtest"
	"github.com/gonehttp/gone/storetest"
)

// TestStore runs the shared conformance suite, one fresh schema per store.
func TestStore(t *testing.T) {
	pgtest.DSN(t) // skip (or fail) once, not in every subtest
	storetest.Run(t, func(t *testing.T) gone.Store {
		s, err := Open(testContext(t), pgtest.Schema(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}
