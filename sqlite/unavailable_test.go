package sqlite

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/gonehttp/gone"
)

// A full database is EUNAVAILABLE (503, retry later), not an internal
// error, and the failed write leaves nothing behind. SQLite's own limit on
// the file's size (max_page_count, on the one write connection) makes it
// full without filling a disk; the httpapi tests fill a real tmpfs.
func TestFullIsUnavailable(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	put(t, s, &gone.Record{Collection: "c", ID: "small", Data: json.RawMessage(`{}`), Version: 1, CreatedAt: t0, UpdatedAt: t0})
	var pages int
	if err := s.w.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, "PRAGMA max_page_count = "+itoa(pages)); err != nil {
		t.Fatal(err)
	}
	big := json.RawMessage(`{"x":"` + strings.Repeat("a", 64<<10) + `"}`)
	err := s.Update(ctx, func(tx gone.Tx) error {
		return tx.Put(ctx, &gone.Record{Collection: "c", ID: "big", Data: big, Version: 1, CreatedAt: t0, UpdatedAt: t0})
	})
	if gone.ErrorCode(err) != gone.EUNAVAILABLE {
		t.Fatalf("Update on a full database: %v (code %q), want %q", err, gone.ErrorCode(err), gone.EUNAVAILABLE)
	}
	if _, err := s.Get(ctx, "c", "big"); !gone.IsNotFound(err) {
		t.Errorf("Get after the failed write: %v, want ENOTFOUND", err)
	}
}

// Errors that say something about the request, not the store, keep their
// code: the transient classes are only the store's.
func TestUnavailableKeepsOtherErrors(t *testing.T) {
	for _, err := range []error{gone.Errorf(gone.ECONFLICT, "x"), gone.Errorf(gone.ENOTFOUND, "x"), nil} {
		if got := unavailable(err); got != err {
			t.Errorf("unavailable(%v) = %v, want it unchanged", err, got)
		}
	}
	if got := unavailable(context.DeadlineExceeded); gone.ErrorCode(got) != gone.EUNAVAILABLE {
		t.Errorf("unavailable(deadline) = %v, want EUNAVAILABLE", got)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
