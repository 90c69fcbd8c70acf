package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gonehttp/gone"
)

// Promise: an alternative that reached the store unchecked (stored before
// the service refused such bytes, or written to the database directly)
// still writes one Link, escaped: it cannot close its <…> and add a
// stylesheet from another origin.
func TestLinkHeaderCannotBeInjected(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := e.store.Update(context.Background(), func(tx gone.Tx) error {
		return tx.Put(context.Background(), &gone.Record{Collection: "users", ID: "inj", Version: 2, CreatedAt: at, UpdatedAt: at,
			DeletedAt: at, Alternative: `/x>;rel=stylesheet,<https://evil.example/x.css`})
	})
	if err != nil {
		t.Fatal(err)
	}
	w := e.get("/api/users/inj")
	must(t, w, http.StatusGone, "GET /api/users/inj")
	if got, want := w.Header().Values("Link"), []string{`</x%3E%3Brel=stylesheet%2C%3Chttps://evil.example/x.css>; rel="alternate"`}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("Link = %q, want %q", got, want)
	}
}
