// Package storetest is the conformance suite for gone.Store: what it checks
// is the definition of a store. Every implementation (sqlite, postgres) runs
// it from its own tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) gone.Store { return openTemp(t) })
//	}
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// t0 is the suite's fixed "now". Stored times are whole seconds in UTC, and
// assertions never depend on the wall clock.
var t0 = time.Date(2026, 1, 5, 10, 30, 0, 0, time.UTC)

// Run runs the conformance suite against the stores newStore returns. Each
// subtest asks for a fresh, empty store and closes it when done, so newStore
// should make one per call (a temp-dir file, a fresh schema).
//
// Beyond what gone.Store's doc comments say, the suite pins down:
//   - times round-trip as whole seconds in UTC; a zero time stays zero;
//   - Data round-trips byte for byte (no JSON normalisation) and nil stays nil;
//   - List orders ids by byte order (so "Z" sorts before "a"), a Limit of
//     zero or less means no limit, and next is "" when nothing follows the
//     page, even when the page is exactly full;
//   - Audit with a Limit of zero or less returns every matching event;
//   - audit events become visible in Seq order, with writers committing
//     at once: a follower paging by AfterSeq misses none (AuditOrder);
//   - Update returns fn's error itself (errors.Is and gone.ErrorCode work);
//   - Get outside an Update is not blocked by an open Update and does not
//     see its uncommitted writes;
//   - the store also implements gone.TokenStore: tokens round-trip (hash
//     byte for byte, scopes and collections in order), a revocation is
//     seen by the next TokenByHash, and Token locks an absent name;
//   - the store also implements gone.InboxStore: entries merge as
//     InboxEntry.Add says, list in InboxLess order, and the cap drops the
//     fewest hits;
//   - gone.Service.RulesPage pages the path rules over the store: every
//     rule once, in byte order of their ids, whatever their states;
//   - the store also implements gone.WebhookStore, and events of the
//     audit log become visible in seq order (a follower that keeps only
//     the highest seq it saw misses none).
func Run(t *testing.T, newStore func(t *testing.T) gone.Store) {
	t.Run("Records", func(t *testing.T) { testRecords(t, newStore) })
	t.Run("Update", func(t *testing.T) { testUpdate(t, newStore) })
	t.Run("List", func(t *testing.T) { testList(t, newStore) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, newStore) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, newStore) })
	t.Run("AuditOrder", func(t *testing.T) { testAuditOrder(t, newStore) })
	t.Run("Lifecycle", func(t *testing.T) { testLifecycle(t, newStore) })
	t.Run("Batch", func(t *testing.T) { testBatch(t, newStore) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, newStore) })
	t.Run("Rules", func(t *testing.T) { testRules(t, newStore) })
	t.Run("Webhooks", func(t *testing.T) { testWebhooks(t, newStore) })
	t.Run("Inbox", func(t *testing.T) { testInbox(t, newStore) })
}

// open returns a fresh store that is closed when t ends.
func open(t *testing.T, newStore func(t *testing.T) gone.Store) gone.Store {
	t.Helper()
	s := newStore(t)
	if s == nil {
		t.Fatal("newStore returned nil")
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// ctx returns a context that bounds every store call of a subtest, so a
// store that deadlocks fails the test instead of hanging it.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// put stores recs in one Update.
func put(t *testing.T, s gone.Store, recs ...*gone.Record) {
	t.Helper()
	c := ctx(t)
	err := s.Update(c, func(tx gone.Tx) error {
		for _, r := range recs {
			if err := tx.Put(c, r); err != nil {
				return fmt.Errorf("tx.Put %s/%s: %w", r.Collection, r.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// mustGet returns the record or fails the test.
func mustGet(t *testing.T, s gone.Store, collection, id string) *gone.Record {
	t.Helper()
	r, err := s.Get(ctx(t), collection, id)
	if err != nil {
		t.Fatalf("Get(%q, %q): %v", collection, id, err)
	}
	if r == nil {
		t.Fatalf("Get(%q, %q) = nil record, nil error", collection, id)
	}
	return r
}

// wantNotFound checks that err is ENOTFOUND.
func wantNotFound(t *testing.T, what string, r *gone.Record, err error) {
	t.Helper()
	if got := gone.ErrorCode(err); got != gone.ENOTFOUND {
		t.Errorf("%s: error code = %q (err %v, record %+v), want %q", what, got, err, r, gone.ENOTFOUND)
	}
}

// checkRecord reports every field where got differs from want. Times are
// compared as instants and must come back in UTC.
func checkRecord(t *testing.T, what string, got, want *gone.Record) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: record = nil, want %s/%s", what, want.Collection, want.ID)
		return
	}
	str := func(field, g, w string) {
		if g != w {
			t.Errorf("%s: %s = %q, want %q", what, field, g, w)
		}
	}
	tm := func(field string, g, w time.Time) {
		t.Helper()
		switch {
		case w.IsZero() && !g.IsZero():
			t.Errorf("%s: %s = %v, want the zero time", what, field, g)
		case !w.IsZero() && !g.Equal(w):
			t.Errorf("%s: %s = %v, want %v", what, field, g, w)
		case !g.IsZero() && g.Location() != time.UTC:
			t.Errorf("%s: %s location = %v, want UTC", what, field, g.Location())
		}
	}
	str("Collection", got.Collection, want.Collection)
	str("ID", got.ID, want.ID)
	switch {
	case want.Data == nil && got.Data != nil:
		t.Errorf("%s: Data = %q, want nil", what, got.Data)
	case want.Data != nil && got.Data == nil:
		t.Errorf("%s: Data = nil, want %q", what, want.Data)
	case !bytes.Equal(got.Data, want.Data):
		t.Errorf("%s: Data = %q, want %q", what, abbrev(got.Data), abbrev(want.Data))
	}
	if got.Version != want.Version {
		t.Errorf("%s: Version = %d, want %d", what, got.Version, want.Version)
	}
	tm("CreatedAt", got.CreatedAt, want.CreatedAt)
	tm("UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	tm("DeletedAt", got.DeletedAt, want.DeletedAt)
	tm("RestorableUntil", got.RestorableUntil, want.RestorableUntil)
	str("Reason", got.Reason, want.Reason)
	str("Alternative", got.Alternative, want.Alternative)
	str("DeletedBy", got.DeletedBy, want.DeletedBy)
	tm("ExpiresAt", got.ExpiresAt, want.ExpiresAt)
	str("MovedTo", got.MovedTo, want.MovedTo)
	tm("UnavailableUntil", got.UnavailableUntil, want.UnavailableUntil)
	tm("DeprecatedAt", got.DeprecatedAt, want.DeprecatedAt)
}

// abbrev keeps failure messages readable for large payloads.
func abbrev(b []byte) string {
	if len(b) <= 80 {
		return string(b)
	}
	return fmt.Sprintf("%s…(%d bytes)", b[:80], len(b))
}
