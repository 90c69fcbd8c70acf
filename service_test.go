package gone

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// memStore is the smallest Store that keeps Update's all-or-nothing
// promise, so Service's glue around the transitions can be tested here.
// The real engines are tested by storetest.
type memStore struct {
	recs  map[string]*Record
	audit []AuditEvent
}

type memTx struct {
	recs  map[string]*Record
	audit []AuditEvent
}

func (s *memStore) Get(_ context.Context, collection, id string) (*Record, error) {
	if r, ok := s.recs[collection+"/"+id]; ok {
		return r.Clone(), nil
	}
	return nil, Errorf(ENOTFOUND, "not found")
}

func (s *memStore) Update(_ context.Context, fn func(Tx) error) error {
	tx := &memTx{recs: map[string]*Record{}}
	for k, r := range s.recs {
		tx.recs[k] = r.Clone()
	}
	if err := fn(tx); err != nil {
		return err
	}
	s.recs, s.audit = tx.recs, append(s.audit, tx.audit...)
	return nil
}

func (s *memStore) List(context.Context, ListQuery) ([]*Record, string, error) { return nil, "", nil }
func (s *memStore) Audit(context.Context, AuditQuery) ([]AuditEvent, error)    { return s.audit, nil }
func (s *memStore) Ping(context.Context) error                                 { return nil }
func (s *memStore) Close() error                                               { return nil }

func (tx *memTx) Get(_ context.Context, collection, id string) (*Record, error) {
	if r, ok := tx.recs[collection+"/"+id]; ok {
		return r.Clone(), nil
	}
	return nil, Errorf(ENOTFOUND, "not found")
}

func (tx *memTx) Put(_ context.Context, r *Record) error {
	tx.recs[r.Collection+"/"+r.ID] = r.Clone()
	return nil
}

func (tx *memTx) AppendAudit(_ context.Context, e AuditEvent) error {
	tx.audit = append(tx.audit, e)
	return nil
}

// TestServiceLifecycle walks one id through the seeds' story with a fixed
// clock: create, soft delete (404 to the public), restore, move (308),
// delete (410 forever), refused re-create.
func TestServiceLifecycle(t *testing.T) {
	ctx := context.Background()
	clock := now.Add(300 * time.Millisecond)
	store := &memStore{recs: map[string]*Record{}}
	p := testPolicy(DiscloseFull, false)
	p.RestoreWindow = time.Hour
	svc := NewService(store, &Config{Collections: map[string]Policy{"users": p}, Reasons: map[string]map[string]string{}},
		WithClock(func() time.Time { return clock }))
	answer := func(id string) Answer {
		t.Helper()
		d, err := svc.Decide(ctx, anonymous, p, id)
		if err != nil {
			t.Fatalf("Decide(%s): %v", id, err)
		}
		return d.Answer
	}
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}

	if _, _, err := svc.Put(ctx, anonymous, "users", "123", json.RawMessage(`{"a":1}`), Preconditions{}); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("anonymous Put: error %v, want code %q", err, EFORBIDDEN)
	}
	rec, created, err := svc.Put(ctx, admin, "users", "123", json.RawMessage(`{"a":1}`), Preconditions{})
	must("Put", err)
	if !created || !rec.CreatedAt.Equal(now) {
		t.Errorf("Put = %+v, created %v; want created at the whole second %v", rec, created, now)
	}
	if got := answer("123"); got != AnswerOK {
		t.Errorf("after create: %q, want %q", got, AnswerOK)
	}
	_, err = svc.Delete(ctx, admin, "users", "123", DeleteOptions{Reason: "user_request"}, Preconditions{})
	if ErrorCode(err) != EINVALID {
		t.Errorf("Delete with unknown reason code: error %v, want code %q", err, EINVALID)
	}
	_, err = svc.Delete(ctx, admin, "users", "123", DeleteOptions{Reason: "Asked by email"}, Preconditions{})
	must("soft Delete", err)
	if got := answer("123"); got != AnswerNotFound {
		t.Errorf("in the trash: %q, want %q", got, AnswerNotFound)
	}
	_, err = svc.Restore(ctx, admin, "users", "123", Preconditions{})
	must("Restore", err)
	if got := answer("123"); got != AnswerOK {
		t.Errorf("after restore: %q, want %q", got, AnswerOK)
	}
	moved, err := svc.Move(ctx, admin, "users", "123", "456", Preconditions{})
	must("Move", err)
	if moved.ID != "456" || string(moved.Data) != `{"a":1}` {
		t.Errorf("Move = %+v, want the data under 456", moved)
	}
	if got := answer("123"); got != AnswerMoved {
		t.Errorf("old id after move: %q, want %q", got, AnswerMoved)
	}
	if _, err := svc.Move(ctx, admin, "users", "456", "123", Preconditions{}); ErrorCode(err) != ECONFLICT {
		t.Errorf("Move onto the moved id: error %v, want code %q", err, ECONFLICT)
	}
	_, err = svc.Delete(ctx, admin, "users", "456", DeleteOptions{Permanent: true, Alternative: "/api/users"}, Preconditions{})
	must("permanent Delete", err)
	if r := store.recs["users/456"]; r.Data != nil {
		t.Errorf("stored record after permanent delete = %s, want the payload erased", r.Data)
	}
	for _, d := range []time.Duration{0, time.Hour, 24 * 365 * time.Hour} {
		clock = clock.Add(d)
		if got := answer("456"); got != AnswerGone {
			t.Errorf("%v after permanent delete: %q, want %q", d, got, AnswerGone)
		}
	}
	if _, _, err := svc.Put(ctx, admin, "users", "456", json.RawMessage(`{}`), Preconditions{}); ErrorCode(err) != ECONFLICT {
		t.Errorf("re-create of a retired id: error %v, want code %q", err, ECONFLICT)
	}
	var actions []string
	for _, e := range store.audit {
		actions = append(actions, e.ID+":"+e.Action)
	}
	want := "[123:create 123:soft_delete 123:restore 123:move 456:move 456:delete]"
	if got := fmt.Sprint(actions); got != want {
		t.Errorf("audit = %s, want %s", got, want)
	}
}
