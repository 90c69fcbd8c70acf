package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/client"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/sqlite"
)

// displayUser says what each of the seeds' answers means, against a real
// server with the demo world.
func TestDisplayUser(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := gone.NewService(store, demo.Config())
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	svc.Now = func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }
	srv := httptest.NewServer(httpapi.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), svc, httpapi.NewTokens()))
	defer srv.Close()
	c, err := client.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"42":  "User: Ada Lovelace <ada@example.com>",
		"999": "User not found. Please check the user ID and try again.",
		"123": "permanently deleted and cannot be accessed.\nReason: User requested account deletion",
	} {
		var out bytes.Buffer
		displayUser(ctx, c, id, &out)
		if !strings.Contains(out.String(), want) {
			t.Errorf("displayUser(%s) printed %q, want %q", id, out.String(), want)
		}
	}
}
