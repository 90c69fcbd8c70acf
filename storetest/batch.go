package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// testBatch runs Service.PutBatch over the store: through the store's own
// gone.BatchTx when its Tx has one, row by row otherwise. Either way the
// results, the records and the audit log must be those of single writes,
// with repeated ids in one chunk and a chunk boundary crossed.
func testBatch(t *testing.T, newStore func(t *testing.T) gone.Store) {
	s := open(t, newStore)
	c := ctx(t)
	p := gone.Policy{Collection: "users", Disclosure: gone.DiscloseFull}
	svc := gone.NewService(s, &gone.Config{Collections: map[string]gone.Policy{"users": p}}, gone.WithClock(func() time.Time { return t0 }))
	admin := gone.Caller{Name: "importer", Scopes: []gone.Scope{gone.ScopeWrite}}
	put(t, s, &gone.Record{Collection: "users", ID: "retired", Version: 2, CreatedAt: t0, UpdatedAt: t0, DeletedAt: t0})

	rows := make([]gone.BatchRow, gone.BatchChunk+2)
	for i := range rows {
		rows[i] = gone.BatchRow{ID: fmt.Sprint("b", i), Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}
	}
	rows[1] = gone.BatchRow{ID: "retired", Data: json.RawMessage(`{}`)}
	rows[2] = gone.BatchRow{ID: "b0", Data: json.RawMessage(`{"n":"again"}`)}
	rows[3] = gone.BatchRow{ID: "b0", Data: json.RawMessage(`{"n":"again"}`)}
	last := len(rows) - 1
	rows[last] = gone.BatchRow{ID: "b0", Data: json.RawMessage(`{"n":"next chunk"}`)}
	res, err := svc.PutBatch(c, admin, "users", rows)
	if err != nil {
		t.Fatalf("PutBatch: %v", err)
	}
	want := map[int]string{0: gone.OutcomeCreated, 2: gone.OutcomeReplaced, 3: gone.OutcomeUnchanged, 4: gone.OutcomeCreated, last: gone.OutcomeReplaced}
	for i, w := range want {
		if res[i].Err != nil || res[i].Outcome != w {
			t.Errorf("row %d: %+v, want outcome %s", i, res[i], w)
		}
	}
	if gone.ErrorCode(res[1].Err) != gone.ECONFLICT {
		t.Errorf("row 1 (a retired id): %v, want a conflict", res[1].Err)
	}
	b0 := mustGet(t, s, "users", "b0")
	if string(b0.Data) != `{"n":"next chunk"}` || b0.Version != 3 {
		t.Errorf("b0 = %s at version %d, want the last row's data at version 3", b0.Data, b0.Version)
	}
	if r := mustGet(t, s, "users", "retired"); r.Data != nil || r.Version != 2 {
		t.Errorf("the retired id was written: %+v", r)
	}
	evs, err := s.Audit(c, gone.AuditQuery{Collection: "users", ID: "b0"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
		if e.Actor != "importer" || !e.At.Equal(t0) {
			t.Errorf("audit event %+v: want actor importer at %v", e, t0)
		}
	}
	if fmt.Sprint(actions) != "[create replace replace]" {
		t.Errorf("b0's audit = %v, want [create replace replace]", actions)
	}
	all, err := s.Audit(c, gone.AuditQuery{Collection: "users"})
	if err != nil {
		t.Fatal(err)
	}
	if got, wantN := len(all), len(rows)-2; got != wantN { // less the refused and the unchanged row
		t.Errorf("%d audit events, want %d (one per written row)", got, wantN)
	}
}
