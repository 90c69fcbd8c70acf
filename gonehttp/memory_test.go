package gonehttp_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/sqlite"
)

// heap is the live heap after a full collection.
func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// peakWhile samples the heap in use while fn runs and returns the most
// seen above base.
func peakWhile(base uint64, fn func()) uint64 {
	done := make(chan struct{})
	peak := uint64(0)
	go func() {
		defer close(done)
		fn()
	}()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if m.HeapAlloc > base && m.HeapAlloc-base > peak {
			peak = m.HeapAlloc - base
		}
		select {
		case <-done:
			return peak
		case <-tick.C:
		}
	}
}

// Promise: the rule table holds a rule in at most maxRuleBytes of heap once
// loaded (471 when it kept each rule's gone.Record), so a gone list of a
// million rules needs about that many megabytes (docs/proxy.md, Memory).
// The numbers are measured on n rules, as the table's shape (maps, one
// entry per rule) grows linearly. The peak while loading is logged, not
// checked: it counts garbage the collector has yet to take, which depends
// on its pace.
func TestRuleMemoryPerRule(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 50,000 rules")
	}
	const (
		n            = 50_000
		maxRuleBytes = 320
	)
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := gone.NewService(store, demo.Config())
	specs := make([]gone.RuleSpec, n)
	for i := range specs {
		specs[i] = gone.RuleSpec{RuleKey: gone.RuleKey{Path: fmt.Sprintf("/blog/2019/%07d/a-post-title", i)}, Action: gone.RuleGone, Reason: "Retired"}
		if i%10 == 9 {
			specs[i].RuleKey = gone.RuleKey{Path: fmt.Sprintf("/section-%07d/", i), Prefix: true}
		}
	}
	if _, err := svc.SetRules(ctx, gone.Caller{Name: "admin", Scopes: []gone.Scope{gone.ScopeAdmin}}, specs, nil); err != nil {
		t.Fatal(err)
	}
	specs = nil
	base := heap()
	var rules *gonehttp.Rules
	peak := peakWhile(base, func() {
		rules, err = gonehttp.Load(ctx, svc)
	})
	if err != nil {
		t.Fatal(err)
	}
	steady := heap() - base
	runtime.KeepAlive(rules)
	t.Logf("%d rules: %d bytes per rule held, %d at the peak of loading", n, steady/n, peak/n)
	if steady/n > maxRuleBytes {
		t.Errorf("%d rules hold %d bytes each, want at most %d", n, steady/n, maxRuleBytes)
	}
}
