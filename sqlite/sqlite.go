// Package sqlite is gone's embedded default store: one SQLite file in WAL
// mode, written through modernc.org/sqlite (pure Go, no cgo).
//
// Writes go through a single connection, so Updates queue in Go rather than
// spinning on SQLite's busy handler; reads use pools of read-only
// connections that WAL lets proceed while a write is open: one through
// database/sql, and Get, the read path of every request, its own (see
// readers.go).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gonehttp/gone"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Store is a gone.Store backed by one SQLite file.
type Store struct {
	path string
	w    *sql.DB // one connection: every write transaction
	r    *sql.DB // read-only pool: List, Audit, tokens, Ping

	get *readers // Get, the read path: its own connections (see readers.go)
	// tokenByHash is on r too: every request with a named token runs it.
	tokenByHash *sql.Stmt
	// txGet and put are prepared on w's only connection and reused by every
	// transaction through Tx.StmtContext.
	txGet *sql.Stmt
	put   *sql.Stmt
	audit *sql.Stmt
	// The batch statements for batchRows rows (see batch.go).
	getMany, putMany, auditMany *sql.Stmt

	// erasePending is set when a payload was erased but the WAL could not
	// be truncated yet; the next Update (or Close) tries again.
	erasePending atomic.Bool
}

var _ gone.Store = (*Store)(nil)

// pragmas apply to every pooled connection, which is why they travel in the
// DSN rather than being executed once.
var pragmas = []string{
	"journal_mode(WAL)",  // readers never wait for the writer
	"synchronous(FULL)",  // fsync the WAL on every commit: an acknowledged write survives kill -9 and power loss
	"foreign_keys(ON)",   // nothing uses them yet; on so a future migration cannot forget
	"secure_delete(ON)",  // freed and overwritten content is zeroed, so an erased payload leaves no bytes behind
	"temp_store(MEMORY)", // sorts and temp b-trees never touch a disk file
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date. A path holding "?" is refused (EINVALID): the driver would take
// the rest for parameters.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.Contains(path, "?") {
		return nil, gone.Errorf(gone.EINVALID, "invalid SQLite path %q", path)
	}
	if err := checkDir(path); err != nil {
		return nil, err
	}
	s := &Store{path: path}
	var err error
	// _txlock=immediate: BEGIN IMMEDIATE takes the write lock up front, so
	// a transaction that reads then writes cannot deadlock with another
	// process on the lock upgrade.
	if s.w, err = sql.Open("sqlite", dsn(path, "_txlock=immediate")); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if err := s.open(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) open(ctx context.Context) error {
	// The write connection is opened first: it creates the file, switches
	// it to WAL and runs the migrations before any reader looks.
	if err := s.w.PingContext(ctx); err != nil {
		return err
	}
	if err := migrate(ctx, s.w); err != nil {
		return err
	}
	var err error
	if s.r, err = sql.Open("sqlite", dsn(s.path, "_query_only=1")); err != nil {
		return err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n) // keep them: opening one re-runs every pragma
	s.r.SetConnMaxLifetime(0)
	s.r.SetConnMaxIdleTime(0)
	// As many again for Get. Each connection's page cache is SQLite's
	// default, at most 2000 KiB, and is filled only as pages are read.
	if s.get, err = newReaders(s.path, n); err != nil {
		return err
	}

	prep := func(db *sql.DB, dst **sql.Stmt, query string) {
		if err == nil {
			*dst, err = db.PrepareContext(ctx, query)
		}
	}
	prep(s.r, &s.tokenByHash, selectTokenByHash)
	prep(s.w, &s.txGet, selectRecord)
	prep(s.w, &s.put, upsertRecord)
	prep(s.w, &s.audit, insertAudit)
	prep(s.w, &s.getMany, selectMany(batchRows))
	prep(s.w, &s.putMany, upsertMany(batchRows))
	prep(s.w, &s.auditMany, insertAuditMany(batchRows))
	return err
}

// checkDir says which directory keeps the database from opening and why:
// SQLite itself only says "unable to open database file". The directory
// must exist and be writable even for an existing file, for the WAL.
func checkDir(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("sqlite: the directory %s of %s does not exist; create it or choose another path", dir, path)
	case err != nil:
		return fmt.Errorf("sqlite: the directory %s of %s: %w", dir, path, err)
	case !fi.IsDir():
		return fmt.Errorf("sqlite: %s is not a directory, so %s cannot be created in it", dir, path)
	}
	f, err := os.CreateTemp(dir, ".gone-write-check-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("sqlite: cannot write in the directory %s (%v); the database and its write-ahead log need it", dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// dsn is path with the pragmas and any extra driver parameters. The plain
// file-name form (not a file: URI) keeps the path free of URI escaping.
func dsn(path string, extra ...string) string {
	return dsnBusy(path, busyTimeout, extra...)
}

// busyTimeout is how long a connection waits for another process's lock
// before failing (SQLITE_BUSY, then a 503).
const busyTimeout = 5 * time.Second

// dsnBusy is dsn with busy_timeout busy: the driver runs every busy_timeout
// pragma first in no set order, so a connection's must be its only one.
func dsnBusy(path string, busy time.Duration, extra ...string) string {
	q := make([]string, 0, len(pragmas)+1+len(extra))
	q = append(q, "_pragma="+url.QueryEscape(fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds())))
	for _, p := range pragmas {
		q = append(q, "_pragma="+url.QueryEscape(p))
	}
	return path + "?" + strings.Join(append(q, extra...), "&")
}

// Ping reports whether the store answers a read.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.r.PingContext(ctx); err != nil {
		return unavailable(fmt.Errorf("sqlite: ping: %w", err))
	}
	return nil
}

// Close finishes any pending erasure and closes the database. Closing the
// last connection checkpoints the WAL into the main file.
func (s *Store) Close() error {
	var errs []error
	if s.erasePending.Load() && s.w != nil {
		errs = append(errs, s.Checkpoint(context.Background()))
	}
	if s.get != nil {
		errs = append(errs, s.get.close())
	}
	for _, st := range []*sql.Stmt{s.tokenByHash, s.txGet, s.put, s.audit, s.getMany, s.putMany, s.auditMany} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	for _, db := range []*sql.DB{s.r, s.w} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// Checkpoint copies the WAL into the database file and truncates the WAL to
// zero bytes. Until then, an erased payload may survive in old WAL frames;
// Update calls it after any transaction that erased one.
func (s *Store) Checkpoint(ctx context.Context) error {
	var busy, logFrames, checkpointed int
	// On the write connection, so no write of ours is in progress; TRUNCATE
	// waits (busy_timeout) for readers to move off old snapshots.
	err := s.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed)
	if err != nil {
		return fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	if busy != 0 {
		s.erasePending.Store(true)
		return fmt.Errorf("sqlite: checkpoint: WAL still in use (%d of %d frames copied)", checkpointed, logFrames)
	}
	s.erasePending.Store(false)
	return nil
}

// Backup writes a consistent copy of the database to dst, which must not
// exist yet, while reads and writes go on. The copy is compacted: it holds
// no freed pages, so it carries no erased payload either.
func (s *Store) Backup(ctx context.Context, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return gone.Errorf(gone.ECONFLICT, "backup destination %s already exists", dst)
	}
	// VACUUM INTO reads one WAL snapshot, so writers go on meanwhile. It
	// needs a connection of its own: the read pool is query_only, which
	// refuses it, and the write connection would hold up every Update.
	db, err := sql.Open("sqlite", dsn(s.path))
	if err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", dst, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", dst, err)
	}
	// VACUUM INTO does not fsync its output; a backup that is not on disk
	// is not a backup.
	f, err := os.Open(dst)
	if err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", dst, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sqlite: backup to %s: sync: %w", dst, err)
	}
	return nil
}
