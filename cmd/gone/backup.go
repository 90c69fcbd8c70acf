package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/gonehttp/gone/sqlite"
)

// runBackup writes a consistent online copy of the SQLite file with VACUUM
// INTO: a running server goes on reading and writing, and the copy holds no
// freed pages, so no erased payload either.
func runBackup(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "backup", "backup [--db PATH] DEST")
	dsn := envString(fs, e, "db", "GONE_DB", "./gone.db", "SQLite file to copy")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError("backup takes one argument, the destination file")
	}
	dest := fs.Arg(0)
	if strings.HasPrefix(*dsn, "postgres://") || strings.HasPrefix(*dsn, "postgresql://") {
		return usageError("backup copies a SQLite file; back up PostgreSQL with pg_dump or your provider's backups")
	}
	// sqlite.Open would create an empty database where there is none, and
	// an empty backup of a mistyped path must not pass for a real one.
	if _, err := os.Stat(*dsn); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	store, err := sqlite.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(ctx, dest); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s\n", *dsn, dest)
	return nil
}
