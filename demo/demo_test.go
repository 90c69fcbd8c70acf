package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/sqlite"
)

// Loading the demo twice changes nothing: the second run finds every record
// and writes no audit event.
func TestLoadTwiceChangesNothing(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := gone.NewService(store, demo.Config())
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	first, err := store.Audit(ctx, gone.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	second, err := store.Audit(ctx, gone.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first) == 0 || len(second) != len(first) {
		t.Errorf("audit events: %d after the first load, %d after the second", len(first), len(second))
	}
	for _, c := range []struct {
		coll, id string
		state    gone.State
	}{
		{"users", "123", gone.StateGone},
		{"users", "42", gone.StateLive},
		{"promotions", "summer-sale-2025", gone.StateExpired},
		{"promotions", "current", gone.StateMoved},
		{"promotions", "winter-sale-2026", gone.StateLive},
	} {
		rec, err := store.Get(ctx, c.coll, c.id)
		if err != nil {
			t.Fatalf("%s/%s: %v", c.coll, c.id, err)
		}
		// A fixed "now": winter-sale-2026 expires on 2027-03-01.
		if got := rec.State(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)); got != c.state {
			t.Errorf("%s/%s: state %s, want %s", c.coll, c.id, got, c.state)
		}
	}
}
