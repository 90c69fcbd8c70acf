package postgres

import (
	"sync"
	"testing"

	"github.com/gonehttp/gone/internal/pgtest"
)

// Instances that start together must not trip over each other's
// migrations.
func TestConcurrentMigrations(t *testing.T) {
	dsn := pgtest.Schema(t)
	ctx := testContext(t)
	var wg sync.WaitGroup
	stores := make([]*Store, 4)
	for i := range stores {
		wg.Go(func() {
			s, err := Open(ctx, dsn)
			if err != nil {
				t.Errorf("Open %d: %v", i, err)
				return
			}
			stores[i] = s
		})
	}
	wg.Wait()
	for _, s := range stores {
		if s != nil {
			s.Close()
		}
	}
	if t.Failed() {
		return
	}

	// Reopening finds everything applied.
	s := openTest(t, dsn)
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatalf("count schema_migrations: %v", err)
	}
	if n != len(ms) {
		t.Errorf("schema_migrations has %d rows after concurrent Opens, want %d", n, len(ms))
	}
}

func TestOpenBadDSN(t *testing.T) {
	if _, err := Open(testContext(t), "postgres://%zz"); err == nil {
		t.Error("Open with an unparsable DSN: err = nil, want an error")
	}
}

// Two files with one version would leave one of them unapplied forever
// (migrate skips a version already recorded), as a merge of two branches
// that each added "the next" migration could do.
func TestMigrationVersionsAreUnique(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]string{}
	for _, m := range ms {
		if other, dup := seen[m.version]; dup {
			t.Errorf("migrations %s and %s share version %d", other, m.name, m.version)
		}
		seen[m.version] = m.name
	}
}
