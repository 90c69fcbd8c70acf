package gone_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/sqlite"
)

// purgeStart is the purge tests' start; the clock only moves when a test says so.
var purgeStart = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// purgeWorld is a service over a real SQLite file with a settable clock.
type purgeWorld struct {
	t     *testing.T
	store gone.Store
	now   time.Time
	admin gone.Caller
}

func newPurgeWorld(t *testing.T) *purgeWorld {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	return &purgeWorld{t: t, store: store, now: purgeStart, admin: gone.Caller{Name: "admin", Scopes: []gone.Scope{gone.ScopeAdmin}}}
}

// service returns a new Service on the world's store and clock, as another
// instance of the server would be.
func (w *purgeWorld) service() *gone.Service {
	cfg := &gone.Config{Collections: map[string]gone.Policy{
		"users": {Collection: "users", RestoreWindow: time.Hour},
		"posts": {Collection: "posts"},
	}}
	return gone.NewService(w.store, cfg, gone.WithClock(func() time.Time { return w.now }))
}

func (w *purgeWorld) put(svc *gone.Service, collection, id string) {
	w.t.Helper()
	if _, _, err := svc.Put(context.Background(), w.admin, collection, id, json.RawMessage(`{"name":"x"}`), gone.Preconditions{}); err != nil {
		w.t.Fatalf("Put %s/%s: %v", collection, id, err)
	}
}

func (w *purgeWorld) del(svc *gone.Service, collection, id string) {
	w.t.Helper()
	if _, err := svc.Delete(context.Background(), w.admin, collection, id, gone.DeleteOptions{Reason: "asked to leave"}, gone.Preconditions{}); err != nil {
		w.t.Fatalf("Delete %s/%s: %v", collection, id, err)
	}
}

func (w *purgeWorld) purge(svc *gone.Service, limit, want int) {
	w.t.Helper()
	n, err := svc.Purge(context.Background(), limit)
	if err != nil || n != want {
		w.t.Fatalf("Purge(%d) at %s = %d, %v; want %d, nil", limit, w.now.Format(time.RFC3339), n, err, want)
	}
}

func (w *purgeWorld) record(collection, id string) *gone.Record {
	w.t.Helper()
	r, err := w.store.Get(context.Background(), collection, id)
	if err != nil {
		w.t.Fatalf("Get %s/%s: %v", collection, id, err)
	}
	return r
}

// purgeEvents returns the purge events of one id.
func (w *purgeWorld) purgeEvents(collection, id string) []gone.AuditEvent {
	w.t.Helper()
	events, err := w.store.Audit(context.Background(), gone.AuditQuery{Collection: collection, ID: id})
	if err != nil {
		w.t.Fatalf("Audit: %v", err)
	}
	var out []gone.AuditEvent
	for _, e := range events {
		if e.Action == gone.ActionPurge {
			out = append(out, e)
		}
	}
	return out
}

func TestPurgeErasesLapsedTrashOnly(t *testing.T) {
	w := newPurgeWorld(t)
	svc := w.service()
	for _, id := range []string{"early", "late", "alive"} {
		w.put(svc, "users", id)
	}
	w.put(svc, "posts", "expiring")
	w.del(svc, "users", "early")
	if _, err := svc.SetLifecycle(context.Background(), w.admin, "posts", "expiring",
		gone.LifecycleChange{ExpiresAt: gone.Optional[time.Time]{Set: true, Value: purgeStart.Add(time.Minute)}}, gone.Preconditions{}); err != nil {
		t.Fatalf("SetLifecycle: %v", err)
	}
	w.now = purgeStart.Add(30 * time.Minute)
	w.del(svc, "users", "late")

	// One second before the window ends the trash is still restorable.
	w.now = purgeStart.Add(time.Hour - time.Second)
	w.purge(svc, 10, 0)

	w.now = purgeStart.Add(time.Hour)
	before := w.record("users", "early")
	w.purge(svc, 10, 1)
	got := w.record("users", "early")
	if got.Data != nil {
		t.Errorf("users/early after purge: Data = %s, want nil", got.Data)
	}
	if got.Version != before.Version+1 || !got.UpdatedAt.Equal(w.now) {
		t.Errorf("users/early after purge: version %d, updatedAt %s; want %d, %s", got.Version, got.UpdatedAt, before.Version+1, w.now)
	}
	if !got.DeletedAt.Equal(before.DeletedAt) || got.Reason != before.Reason || !got.RestorableUntil.Equal(before.RestorableUntil) {
		t.Errorf("users/early after purge lost its tombstone facts: %+v, was %+v", got, before)
	}
	events := w.purgeEvents("users", "early")
	if len(events) != 1 || events[0].Actor != gone.PurgeActor || !events[0].At.Equal(w.now) {
		t.Errorf("users/early purge audit = %+v, want one event by %q at %s", events, gone.PurgeActor, w.now)
	}
	// Still 410, as the read path said before the purge.
	p, _ := svc.Policy("users")
	if d, _ := svc.Decide(context.Background(), gone.Caller{}, p, "early"); d.Answer != gone.AnswerGone {
		t.Errorf("GET users/early after purge: answer %s, want %s", d.Answer, gone.AnswerGone)
	}
	for _, c := range []struct{ collection, id string }{{"users", "late"}, {"users", "alive"}, {"posts", "expiring"}} {
		if r := w.record(c.collection, c.id); r.Data == nil {
			t.Errorf("%s/%s: payload erased, want it kept (not lapsed trash)", c.collection, c.id)
		}
	}

	// A second pass finds nothing; later the other window ends too.
	w.purge(svc, 10, 0)
	w.now = purgeStart.Add(90 * time.Minute)
	w.purge(svc, 10, 1)
	if n := len(w.purgeEvents("users", "early")); n != 1 {
		t.Errorf("users/early: %d purge events after later passes, want 1", n)
	}
}

func TestPurgeLimit(t *testing.T) {
	w := newPurgeWorld(t)
	svc := w.service()
	for i := range 5 {
		id := fmt.Sprintf("u%d", i)
		w.put(svc, "users", id)
		w.del(svc, "users", id)
	}
	w.now = purgeStart.Add(2 * time.Hour)
	w.purge(svc, 0, 0)
	w.purge(svc, 2, 2)
	w.purge(svc, 2, 2)
	w.purge(svc, 2, 1)
	w.purge(svc, 2, 0)
}

func TestPurgeSeveralInstancesPurgeEachRecordOnce(t *testing.T) {
	w := newPurgeWorld(t)
	setup := w.service()
	const records = 60
	for i := range records {
		id := fmt.Sprintf("u%03d", i)
		w.put(setup, "users", id)
		w.del(setup, "users", id)
	}
	w.now = purgeStart.Add(2 * time.Hour)

	// Four instances over one store race through the same candidates.
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
	)
	for range 4 {
		svc := w.service()
		wg.Go(func() {
			n, err := svc.Purge(context.Background(), records)
			if err != nil {
				t.Errorf("Purge: %v", err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if total != records {
		t.Errorf("instances purged %d records in all, want %d", total, records)
	}
	for i := range records {
		id := fmt.Sprintf("u%03d", i)
		if n := len(w.purgeEvents("users", id)); n != 1 {
			t.Errorf("users/%s: %d purge events, want 1", id, n)
		}
	}
}
