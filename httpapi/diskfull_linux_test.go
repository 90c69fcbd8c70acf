package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/sqlite"
)

// A full disk (a real 256 KiB tmpfs under the SQLite file) answers writes
// with 503, never 500. It needs root to mount the tmpfs and skips
// otherwise; sqlite's TestFullIsUnavailable covers a full database
// everywhere.
func TestDiskFullIs503(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=256k"); err != nil {
		t.Skipf("cannot mount a tmpfs (%v); needs root", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, 0) })
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	tokens := httpapi.NewTokens()
	tokens.Add(adminToken, "admin", true)
	e := &env{t: t, h: httpapi.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), gone.NewService(store, demo.Config()), tokens)}
	body := `{"x":"` + strings.Repeat("a", 32<<10) + `"}`
	for i := 0; i < 64; i++ {
		w := e.admin("PUT", fmt.Sprintf("/api/users/fill%d", i), body)
		if w.Code == 201 {
			continue
		}
		wantUnavailable(t, fmt.Sprintf("PUT %d on a full disk", i), w)
		return
	}
	t.Fatal("64 writes of 32 KiB fit in a 256 KiB tmpfs; the disk never filled")
}
