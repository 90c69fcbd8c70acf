package postgres

import (
	"testing"

	"github.com/gonehttp/gone/internal/pgtest"
)

// TestMain says in one line when the tests skip for want of PostgreSQL.
func TestMain(m *testing.M) { pgtest.Main(m) }
