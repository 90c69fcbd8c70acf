package gone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

// failingStore fails every Update after the first ok ones, as a store that
// goes down in the middle of a batch.
type failingStore struct {
	*memStore
	ok int
}

func (s *failingStore) Update(ctx context.Context, fn func(Tx) error) error {
	if s.ok == 0 {
		return errors.New("disk I/O error")
	}
	s.ok--
	return s.memStore.Update(ctx, fn)
}

// TestPutBatchRowByRow runs PutBatch over a store without BatchTx (the
// row-by-row path) and a store that fails in the middle: earlier chunks
// stay written, the rest report the store's error, refused rows fail alone.
func TestPutBatchRowByRow(t *testing.T) {
	ctx := context.Background()
	mem := &memStore{recs: map[string]*Record{}}
	store := &failingStore{memStore: mem, ok: 1}
	p := testPolicy(DiscloseFull, false)
	svc := NewService(store, &Config{Collections: map[string]Policy{"users": p}}, WithClock(func() time.Time { return now }))
	rows := make([]BatchRow, BatchChunk+10)
	for i := range rows {
		rows[i] = BatchRow{ID: fmt.Sprint("u", i), Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}
	}
	rows[3].ID = "bad id"
	rows[4].Data = json.RawMessage(`[]`)
	rows[5].ID = rows[0].ID // the same id twice in a chunk: the second replaces
	res, err := svc.PutBatch(ctx, admin, "users", rows)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		var want string
		switch {
		case i == 3 || i == 4:
			want = EINVALID
		case i >= BatchChunk:
			want = EINTERNAL // the second chunk's Update failed
		}
		if got := ErrorCode(r.Err); got != want {
			t.Errorf("row %d: error %v, want code %q", i, r.Err, want)
		}
	}
	if res[0].Outcome != OutcomeCreated || res[5].Outcome != OutcomeReplaced || res[5].Record.Version != 2 {
		t.Errorf("rows 0 and 5 = %+v, %+v; want created, then replaced at version 2", res[0], res[5])
	}
	if got, want := len(mem.recs), BatchChunk-3; got != want {
		t.Errorf("%d records stored, want %d (the first chunk less its two refused rows and the repeat)", got, want)
	}
	if got, want := len(mem.audit), BatchChunk-2; got != want {
		t.Errorf("%d audit events, want %d", got, want)
	}
	// Run again on a healthy store: the first chunk is unchanged.
	store.ok = 2
	res, _ = svc.PutBatch(ctx, admin, "users", rows)
	if res[1].Outcome != OutcomeUnchanged || res[BatchChunk].Outcome != OutcomeCreated {
		t.Errorf("re-run: rows 1 and %d = %+v, %+v; want unchanged and created", BatchChunk, res[1], res[BatchChunk])
	}
	if _, err := svc.PutBatch(ctx, anonymous, "users", rows); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("anonymous batch: %v, want %s", err, EFORBIDDEN)
	}
	if _, err := svc.PutBatch(ctx, admin, "users", make([]BatchRow, MaxBatchRows+1)); ErrorCode(err) != ETOOLARGE {
		t.Errorf("oversized batch: %v, want %s", err, ETOOLARGE)
	}
}
