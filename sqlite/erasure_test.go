package sqlite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonehttp/gone"
)

// The payload markers. Each is built at run time so that the test binary's
// own bytes never count, and kept distinctive so a hit is no accident.
var (
	markSmall = "ERASE-ME-" + "7f3a9c"
	markBig   = "ERASE-ME-" + "overflow-" + "51d0e2"
)

// bigPayload is ~20 KB, far over one 4 KiB page, so it lives in overflow
// pages; the marker sits at the start, the middle and the end.
func bigPayload() json.RawMessage {
	filler := strings.Repeat("lorem ipsum dolor sit amet ", 370) // ~10 KB
	return json.RawMessage(`{"a":"` + markBig + filler + markBig + filler + markBig + `"}`)
}

// fileBytes returns the database file and its WAL and shared-memory files,
// each missing one counting as empty.
func fileBytes(t *testing.T, path string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("read %s: %v", p, err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

func present(files map[string][]byte, mark string) []string {
	var where []string
	for name, b := range files {
		if n := bytes.Count(b, []byte(mark)); n > 0 {
			where = append(where, name)
		}
	}
	return where
}

// TestErasure proves docs/design.md's erasure invariant at the byte level: after
// a permanent delete (Put with nil Data) the payload is in neither the
// database file nor the WAL.
func TestErasure(t *testing.T) {
	for _, explicit := range []bool{true, false} {
		name := "AfterCheckpoint"
		if !explicit {
			name = "UpdateCheckpointsByItself"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, path := openTemp(t)
			defer s.Close()

			small := &gone.Record{Collection: "users", ID: "123", Data: json.RawMessage(`{"name":"` + markSmall + `"}`), Version: 1, CreatedAt: t0, UpdatedAt: t0}
			big := &gone.Record{Collection: "files", ID: "big", Data: bigPayload(), Version: 1, CreatedAt: t0, UpdatedAt: t0}
			keep := &gone.Record{Collection: "users", ID: "124", Data: json.RawMessage(`{"name":"keep-me"}`), Version: 1}
			put(t, s, small, big, keep)

			// Control 1: the markers reach the main file once checkpointed,
			// so the check below can see them there.
			if err := s.Checkpoint(ctx); err != nil {
				t.Fatalf("Checkpoint: %v", err)
			}
			files := fileBytes(t, path)
			for _, m := range []string{markSmall, markBig} {
				if !bytes.Contains(files["gone.db"], []byte(m)) {
					t.Fatalf("control: %s not in gone.db before erasure; the test cannot see payloads", m)
				}
			}
			// Control 2: newer versions sit in the WAL too.
			small.Version, big.Version = 2, 2
			put(t, s, small, big)
			if !bytes.Contains(fileBytes(t, path)["gone.db-wal"], []byte(markSmall)) {
				t.Fatalf("control: %s not in gone.db-wal after a second write", markSmall)
			}

			// Permanent delete: tombstone metadata stays, payload goes.
			for _, r := range []*gone.Record{small, big} {
				r.Data, r.Version, r.DeletedAt, r.Reason = nil, 3, t0, "User requested account deletion"
			}
			put(t, s, small, big)
			if explicit {
				if err := s.Checkpoint(ctx); err != nil {
					t.Fatalf("Checkpoint: %v", err)
				}
			}

			files = fileBytes(t, path)
			for _, m := range []string{markSmall, markBig} {
				if where := present(files, m); len(where) > 0 {
					t.Errorf("after erasure: %s still in %v", m, where)
				}
			}
			if n := len(files["gone.db-wal"]); n != 0 {
				t.Errorf("after erasure: gone.db-wal is %d bytes, want truncated to 0", n)
			}
			// The tombstone and the neighbour are intact.
			for _, r := range []*gone.Record{small, big} {
				got, err := s.Get(ctx, r.Collection, r.ID)
				if err != nil || got.Data != nil || !got.DeletedAt.Equal(t0) || got.Reason != r.Reason {
					t.Errorf("tombstone %s/%s = %+v, %v; want nil Data, DeletedAt %v, Reason %q", r.Collection, r.ID, got, err, t0, r.Reason)
				}
			}
			if got, err := s.Get(ctx, "users", "124"); err != nil || string(got.Data) != string(keep.Data) {
				t.Errorf("neighbour users/124 = %+v, %v; want Data %s", got, err, keep.Data)
			}
			if !bytes.Contains(files["gone.db"], []byte("keep-me")) && !bytes.Contains(files["gone.db-wal"], []byte("keep-me")) {
				t.Errorf("neighbour's payload is in no file: the erasure check would pass vacuously")
			}
		})
	}
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	defer s.Close()
	live := &gone.Record{Collection: "users", ID: "1", Data: json.RawMessage(`{"name":"Ada"}`), Version: 1, CreatedAt: t0, UpdatedAt: t0}
	erased := &gone.Record{Collection: "users", ID: "2", Data: json.RawMessage(`{"name":"` + markSmall + `"}`), Version: 1}
	put(t, s, live, erased)
	erased.Data, erased.DeletedAt = nil, t0
	put(t, s, erased)

	dst := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, dst); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := s.Backup(ctx, dst); gone.ErrorCode(err) != gone.ECONFLICT {
		t.Errorf("Backup over an existing file: %v, want ECONFLICT", err)
	}
	raw, err := os.ReadFile(dst)
	if err != nil {
		t.Fatalf("read backup: %v", err)
	}
	if bytes.Contains(raw, []byte(markSmall)) {
		t.Errorf("backup holds the erased payload %s", markSmall)
	}

	b, err := Open(ctx, dst)
	if err != nil {
		t.Fatalf("Open(backup): %v", err)
	}
	defer b.Close()
	got, err := b.Get(ctx, "users", "1")
	if err != nil || string(got.Data) != string(live.Data) || !got.CreatedAt.Equal(t0) {
		t.Errorf("backup users/1 = %+v, %v; want Data %s", got, err, live.Data)
	}
	got, err = b.Get(ctx, "users", "2")
	if err != nil || got.Data != nil || !got.DeletedAt.Equal(t0) {
		t.Errorf("backup users/2 = %+v, %v; want a tombstone deleted at %v", got, err, t0)
	}
}
