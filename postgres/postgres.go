// Package postgres implements gone.Store on PostgreSQL, for several gone
// instances that must give one answer for the same id (docs/design.md, invariant 6).
//
// Open runs the embedded migrations. Tables are unqualified, so the
// connection's search_path picks the schema (tests use one schema each).
//
// Erasure: a permanent delete sets data to NULL in the same transaction, so
// no query can read the payload again. PostgreSQL keeps the old row version
// on disk (and in WAL) until VACUUM reclaims and a later write reuses the
// space; physical erasure therefore depends on autovacuum and on the
// operator's WAL and backup retention.
//
// The tests need a server; scripts/pg-test.sh starts a throwaway one:
//
//	eval "$(scripts/pg-test.sh start)" && go test ./postgres/; scripts/pg-test.sh stop
package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gonehttp/gone"
)

// Store is a gone.Store on a PostgreSQL connection pool. It is safe for
// concurrent use, also alongside other processes on the same database.
type Store struct {
	pool *pgxpool.Pool
}

var _ gone.Store = (*Store)(nil)

// Open connects to the database named by dsn (a postgres:// URL or
// key=value string, as pgx accepts) and migrates its schema. pgxpool
// settings such as pool_max_conns may be given in the DSN.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse dsn: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return unavailable(fmt.Errorf("postgres: ping: %w", err))
	}
	return nil
}

// Close closes the pool, waiting for connections in use to be released.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}
