package metrics_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/metrics"
	"github.com/gonehttp/gone/sqlite"
)

var now = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func openStore(t *testing.T) gone.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestInstrumentStore(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := metrics.InstrumentStore(openStore(t), reg)
	ctx := context.Background()
	if err := s.Update(ctx, func(tx gone.Tx) error {
		return tx.Put(ctx, &gone.Record{Collection: "users", ID: "1", Data: json.RawMessage(`{}`), Version: 1})
	}); err != nil {
		t.Fatal(err)
	}
	s.Update(ctx, func(gone.Tx) error { return gone.Errorf(gone.ECONFLICT, "no") })
	s.Get(ctx, "users", "1")
	s.Get(ctx, "users", "2")
	s.List(ctx, gone.ListQuery{Collection: "users", Now: now})
	s.Audit(ctx, gone.AuditQuery{})
	s.Ping(ctx)
	s.Update(ctx, func(gone.Tx) error { return errors.New("disk on fire") })
	// An outage is EUNAVAILABLE (503 to callers) and still an error here.
	s.Update(ctx, func(gone.Tx) error { return gone.Unavailable(errors.New("disk full")) })

	// One series per (op, result) pair seen.
	// A domain refusal (not found, conflict) is ok: the store answered.
	if n := testutil.CollectAndCount(reg, "gone_store_duration_seconds"); n != 6 {
		t.Errorf("gone_store_duration_seconds has %d series, want 6 (update ok/error, get ok, list, audit, ping)", n)
	}
	text, err := testutil.CollectAndFormat(reg, expfmt.TypeTextPlain, "gone_store_duration_seconds")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`gone_store_duration_seconds_count{op="get",result="ok"} 2`,
		`gone_store_duration_seconds_count{op="update",result="error"} 2`,
		`gone_store_duration_seconds_count{op="update",result="ok"} 2`,
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
}

func TestCounts(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	rec := func(id string, edit func(*gone.Record)) *gone.Record {
		r := &gone.Record{Collection: "users", ID: id, Data: json.RawMessage(`{}`), Version: 1}
		edit(r)
		return r
	}
	recs := []*gone.Record{
		rec("live", func(*gone.Record) {}),
		rec("trash", func(r *gone.Record) { r.DeletedAt, r.RestorableUntil = now.Add(-time.Hour), now.Add(time.Hour) }),
		rec("lapsed", func(r *gone.Record) { r.DeletedAt, r.RestorableUntil = now.Add(-2*time.Hour), now.Add(-time.Hour) }),
		rec("purged", func(r *gone.Record) {
			r.DeletedAt, r.RestorableUntil, r.Data = now.Add(-2*time.Hour), now.Add(-time.Hour), nil
		}),
		rec("deleted", func(r *gone.Record) { r.DeletedAt, r.Data = now.Add(-time.Hour), nil }),
		rec("expired", func(r *gone.Record) { r.ExpiresAt = now.Add(-time.Hour) }),
	}
	if err := s.Update(ctx, func(tx gone.Tx) error {
		for _, r := range recs {
			if err := tx.Put(ctx, r); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// accounts conceals: its trash and tombstones would date what its 404
	// hides, so it has no series at all.
	if err := s.Update(ctx, func(tx gone.Tx) error {
		for _, r := range recs {
			c := *r
			c.Collection = "accounts"
			if err := tx.Put(ctx, &c); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	cfg := &gone.Config{Collections: map[string]gone.Policy{"users": {Collection: "users"}, "posts": {Collection: "posts"},
		"accounts": {Collection: "accounts", Disclosure: gone.DiscloseConceal}}}
	c := metrics.NewCounts(s, cfg, func() time.Time { return now })
	want := `
# HELP gone_purge_backlog Lapsed trash whose payload the purger has not erased yet, by collection (concealing collections left out).
# TYPE gone_purge_backlog gauge
gone_purge_backlog{collection="posts"} 0
gone_purge_backlog{collection="users"} 1
# HELP gone_tombstones Retired ids (deleted for good, lapsed trash, expired), by collection (concealing collections left out).
# TYPE gone_tombstones gauge
gone_tombstones{collection="posts"} 0
gone_tombstones{collection="users"} 4
# HELP gone_trash_records Soft-deleted records still in their restore window, by collection (concealing collections left out).
# TYPE gone_trash_records gauge
gone_trash_records{collection="posts"} 0
gone_trash_records{collection="users"} 1
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}

func TestPurger(t *testing.T) {
	reg := prometheus.NewRegistry()
	p := metrics.NewPurger(reg)
	p.Observe(3, nil, now)
	p.Observe(0, errors.New("store down"), now.Add(time.Minute))
	want := `
# HELP gone_purge_last_success_timestamp_seconds When the purger last finished a pass without error (Unix seconds); alert when it falls behind.
# TYPE gone_purge_last_success_timestamp_seconds gauge
gone_purge_last_success_timestamp_seconds 1.7723556e+09
# HELP gone_purge_runs_total Purger passes, by result (ok or error).
# TYPE gone_purge_runs_total counter
gone_purge_runs_total{result="error"} 1
gone_purge_runs_total{result="ok"} 1
# HELP gone_purged_total Records whose payload this instance's purger erased after their restore window passed.
# TYPE gone_purged_total counter
gone_purged_total 3
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}

func TestInstrumentTokens(t *testing.T) {
	reg := prometheus.NewRegistry()
	ts := metrics.InstrumentStore(openStore(t), reg)
	ctx := context.Background()
	ts.TokenByHash(ctx, gone.HashSecret("nobody"))
	ts.Tokens(ctx)
	ts.UpdateTokens(ctx, func(gone.TokenTx) error { return nil })
	text, err := testutil.CollectAndFormat(reg, expfmt.TypeTextPlain, "gone_store_duration_seconds")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`gone_store_duration_seconds_count{op="token_by_hash",result="ok"} 1`,
		`gone_store_duration_seconds_count{op="tokens",result="ok"} 1`,
		`gone_store_duration_seconds_count{op="update_tokens",result="ok"} 1`,
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
}

// noTokens is a store that keeps no tokens.
type noTokens struct{ gone.Store }

func TestInstrumentStoreWithoutTokens(t *testing.T) {
	s := metrics.InstrumentStore(noTokens{}, prometheus.NewRegistry())
	ctx := context.Background()
	if tok, err := s.TokenByHash(ctx, gone.HashSecret("x")); gone.ErrorCode(err) != gone.ENOTFOUND {
		t.Errorf("TokenByHash = %+v, %v; want ENOTFOUND", tok, err)
	}
	if toks, err := s.Tokens(ctx); err != nil || len(toks) != 0 {
		t.Errorf("Tokens = %v, %v; want none", toks, err)
	}
	if err := s.UpdateTokens(ctx, func(gone.TokenTx) error { return nil }); err == nil {
		t.Error("UpdateTokens on a store without tokens succeeded")
	}
}
