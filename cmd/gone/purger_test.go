package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/metrics"
	"github.com/gonehttp/gone/sqlite"
)

func TestPurgerLoop(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := &gone.Config{Collections: map[string]gone.Policy{"users": {Collection: "users", RestoreWindow: time.Hour}}}
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now := start
	svc := gone.NewService(store, cfg, gone.WithClock(func() time.Time { return now }))
	admin := gone.Caller{Name: "admin", Scopes: []gone.Scope{gone.ScopeAdmin}}
	if _, _, err := svc.Put(ctx, admin, "users", "1", json.RawMessage(`{"a":1}`), gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Delete(ctx, admin, "users", "1", gone.DeleteOptions{}, gone.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	now = start.Add(2 * time.Hour)

	reg := prometheus.NewRegistry()
	m := metrics.NewPurger(reg)
	log := slog.New(slog.DiscardHandler)
	// The first pass runs at once; the interval only spaces later ones.
	stop := startPurger(ctx, log, svc, time.Hour, m)
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := store.Get(ctx, "users", "1")
		if err != nil {
			t.Fatal(err)
		}
		if r.Data == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the purger did not erase users/1 within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	if got := purgedTotal(t, reg); got != 1 {
		t.Errorf("gone_purged_total = %v, want 1", got)
	}

	// 0 disables it; stop still returns.
	startPurger(ctx, log, svc, 0, m)()
}

// purgedTotal reads gone_purged_total back from reg.
func purgedTotal(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "gone_purged_total" {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatal("gone_purged_total not registered")
	return 0
}
