package client_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gonehttp/gone/client"
)

// A resource's whole life through the client: create, soft delete (404 to
// the public), restore, permanent delete (410 with the reason).
func TestLifecycleThroughClient(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin, public := e.admin(), e.client()

	created, err := admin.Put(ctx, "users", "500", map[string]any{"name": "Eve"}, nil)
	if err != nil || !created {
		t.Fatalf("Put: created=%v err=%v", created, err)
	}
	if created, err = admin.Put(ctx, "users", "500", map[string]any{"name": "Eve"}, nil); err != nil || created {
		t.Fatalf("second Put: created=%v err=%v, want a replace", created, err)
	}
	l, err := admin.Delete(ctx, "users", "500", client.DeleteOptions{})
	if err != nil || l.State != "deleted" || l.RestorableUntil.IsZero() {
		t.Fatalf("soft Delete: %+v, %v; want state deleted with restorableUntil", l, err)
	}
	if err := public.Get(ctx, "users", "500", nil); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("public Get of trash: %v, want ErrNotFound", err)
	}
	// The admin gets the same 404 at the resource URL, and reads the trash
	// through Lifecycle and the trash listing.
	if err := admin.Get(ctx, "users", "500", nil); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("admin Get of trash: %v, want ErrNotFound", err)
	}
	if lc, err := admin.Lifecycle(ctx, "users", "500"); err != nil || lc.State != "deleted" || lc.RestorableUntil.IsZero() || string(lc.Data) != `{"name":"Eve"}` {
		t.Fatalf("admin Lifecycle of trash: %+v, %v; want state deleted with restorableUntil and the data", lc, err)
	}
	var trash []string
	for it, err := range admin.List(ctx, "users", client.ListOptions{State: "deleted"}) {
		if err != nil {
			t.Fatal(err)
		}
		if it.Lifecycle == nil || it.Lifecycle.State != "deleted" {
			t.Errorf("trash item %+v has no deleted lifecycle", it)
		}
		trash = append(trash, it.ID)
	}
	if !slices.Contains(trash, "500") {
		t.Errorf("trash = %v, want it to hold 500", trash)
	}
	if l, err = admin.Restore(ctx, "users", "500"); err != nil || l.State != "live" {
		t.Fatalf("Restore: %+v, %v", l, err)
	}
	// The restore forgets the admin's remembered 404.
	var eve map[string]string
	if err := admin.Get(ctx, "users", "500", &eve); err != nil || eve["name"] != "Eve" {
		t.Fatalf("admin Get after restore: %v, %v; want Eve", eve, err)
	}
	l, err = admin.Delete(ctx, "users", "500", client.DeleteOptions{Permanent: true, Reason: "user_request", Alternative: "/api/users"})
	if err != nil || l.State != "gone" || !l.Erased {
		t.Fatalf("permanent Delete: %+v, %v; want gone and erased", l, err)
	}
	// The public client still holds the trash's 404 for its max-age.
	if err := public.Get(ctx, "users", "500", nil); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("Get within the 404's max-age: %v, want the cached 404", err)
	}
	e.clock.Add(time.Minute)
	err = public.Get(ctx, "users", "500", nil)
	var ge *client.Error
	if !errors.As(err, &ge) || ge.Reason != "User requested account deletion" || ge.Alternative != "/api/users" || ge.DeletedAt.IsZero() {
		t.Fatalf("Get after delete: %v, want 410 with reason, alternative and deletedAt", err)
	}
	// The retired id refuses a new resource: 409 with the tombstone's facts.
	_, err = admin.Put(ctx, "users", "500", map[string]any{"name": "Again"}, nil)
	if !errors.As(err, &ge) || !errors.Is(err, client.ErrConflict) || ge.DeletedAt.IsZero() {
		t.Fatalf("Put on a retired id: %v, want ErrConflict with deletedAt", err)
	}
	lc, err := admin.Lifecycle(ctx, "users", "500")
	if err != nil || lc.State != "gone" || len(lc.History) < 5 {
		t.Fatalf("Lifecycle: %+v, %v; want gone with its history", lc, err)
	}
}

// SetLifecycle sets and clears an expiry.
func TestSetLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.admin()
	at := testNow.Add(48 * time.Hour)
	l, err := admin.SetLifecycle(ctx, "users", "42", client.LifecycleChange{ExpiresAt: client.SetTo(at), Alternative: client.SetTo("/api/users")})
	if err != nil || !l.ExpiresAt.Equal(at) || l.Alternative != "/api/users" {
		t.Fatalf("SetLifecycle: %+v, %v", l, err)
	}
	l, err = admin.SetLifecycle(ctx, "users", "42", client.LifecycleChange{ExpiresAt: client.Clear[time.Time]()})
	if err != nil || !l.ExpiresAt.IsZero() || l.Alternative != "/api/users" {
		t.Fatalf("clearing the expiry: %+v, %v", l, err)
	}
}

// List follows the cursor across pages, and stops when the loop breaks.
func TestList(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.admin()
	for _, id := range []string{"a1", "a2", "a3"} {
		if _, err := admin.Put(ctx, "users", id, map[string]string{"name": id}, nil); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for it, err := range admin.List(ctx, "users", client.ListOptions{PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, it.ID)
	}
	if len(ids) != 4 { // 42, a1, a2, a3
		t.Errorf("listed %v, want four live users", ids)
	}
	n := 0
	for range admin.List(ctx, "users", client.ListOptions{PageSize: 1}) {
		if n++; n == 2 {
			break
		}
	}
	if reqs := e.front.requests("GET", "/api/users"); len(reqs) != 2+2 {
		t.Errorf("list requests = %d, want 2 pages of the first listing and 2 of the broken one", len(reqs))
	}
	var gone []string
	for it, err := range admin.List(ctx, "users", client.ListOptions{State: "gone"}) {
		if err != nil {
			t.Fatal(err)
		}
		if it.Lifecycle == nil || it.Lifecycle.State != "gone" {
			t.Errorf("gone item %+v has no gone lifecycle", it)
		}
		gone = append(gone, it.ID)
	}
	if len(gone) != 1 || gone[0] != "123" {
		t.Errorf("gone users = %v, want [123]", gone)
	}
	for _, err := range e.client().List(ctx, "users", client.ListOptions{State: "gone"}) {
		if !errors.Is(err, client.ErrForbidden) && !errors.Is(err, client.ErrUnauthorized) {
			t.Errorf("public listing of gone ids: err = %v, want 401 or 403", err)
		}
	}
}

// Audit pages through the log; Explain shows the decision.
func TestAuditAndExplain(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.admin()
	var actions []string
	for ev, err := range admin.Audit(ctx, client.AuditQuery{Collection: "users", ID: "123", PageSize: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		actions = append(actions, ev.Action)
	}
	if len(actions) != 2 || actions[0] != "create" || actions[1] != "delete" {
		t.Errorf("audit of users/123 = %v, want [create delete]", actions)
	}
	ex, err := admin.Explain(ctx, "users", "123")
	if err != nil {
		t.Fatal(err)
	}
	if ex.State != "gone" || ex.Public.Status != 410 || len(ex.Steps) == 0 {
		t.Errorf("explain = %+v, want gone, public 410 and its steps", ex)
	}
}

// Every error kind is an *Error that errors.Is matches to its sentinel.
func TestErrorKinds(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bad, _ := client.New(e.srv.URL, client.WithHTTPClient(e.srv.Client()), client.WithToken("wrong"))
	reader := e.client(client.WithToken(readerToken))
	admin := e.admin()
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"wrong token", bad.Get(ctx, "users", "42", nil), client.ErrUnauthorized},
		{"reader writes", func() error { _, err := reader.Put(ctx, "users", "42", map[string]int{}, nil); return err }(), client.ErrForbidden},
		{"anonymous audit", func() error {
			for _, err := range e.client().Audit(ctx, client.AuditQuery{}) {
				return err
			}
			return nil
		}(), client.ErrUnauthorized},
		{"not an object", func() error { _, err := admin.Put(ctx, "users", "42", []int{1}, nil); return err }(), client.ErrInvalid},
		{"restore live", func() error { _, err := admin.Restore(ctx, "users", "42"); return err }(), client.ErrConflict},
		{"private collection", e.client().Get(ctx, "accounts", "7", nil), client.ErrUnauthorized},
	}
	for _, tc := range cases {
		var ce *client.Error
		if !errors.Is(tc.err, tc.want) || !errors.As(tc.err, &ce) {
			t.Errorf("%s: err = %v, want %v as *client.Error", tc.name, tc.err, tc.want)
		}
	}
}

// Preconditions on writes: a stale IfMatch or an IfNoneMatch("*") on an
// existing id is ErrPrecondition with the current ETag, and changes
// nothing; the ETag from the error makes the retry succeed.
func TestConditionalWrites(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.admin()
	var pe *client.Error
	_, err := admin.Put(ctx, "users", "42", map[string]any{"name": "X"}, nil, client.IfNoneMatch("*"))
	if !errors.Is(err, client.ErrPrecondition) || !errors.As(err, &pe) || pe.ETag != `"1"` {
		t.Fatalf("create-only Put on an existing id: %v, want ErrPrecondition with ETag \"1\"", err)
	}
	if _, err := admin.Delete(ctx, "users", "42", client.DeleteOptions{}, client.IfMatch(`"99"`)); !errors.Is(err, client.ErrPrecondition) {
		t.Fatalf("Delete with a stale IfMatch: %v, want ErrPrecondition", err)
	}
	if _, err := admin.Move(ctx, "users", "42", "43", client.IfUnmodifiedSince(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))); !errors.Is(err, client.ErrPrecondition) {
		t.Fatalf("Move with an old IfUnmodifiedSince: %v, want ErrPrecondition", err)
	}
	l, err := admin.Delete(ctx, "users", "42", client.DeleteOptions{}, client.IfMatch(pe.ETag))
	if err != nil || l.State != "deleted" {
		t.Fatalf("Delete with the current ETag: %+v, %v", l, err)
	}
	if _, err := admin.Restore(ctx, "users", "42", client.IfMatch(l.ETag())); err != nil {
		t.Fatalf("Restore with the lifecycle's ETag: %v", err)
	}
}
