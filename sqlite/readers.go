package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"

	"github.com/gonehttp/gone"
)

// readers is Get's own small pool of read-only connections, each with the
// lookup prepared once, driven through the driver's interfaces directly.
// Through database/sql a lookup cost more in its per-query machinery
// (connection bookkeeping, locks, Rows, converting every column through
// Scan) than in SQLite. The driver still bounds each query by its context:
// it interrupts the statement once the context is done.
type readers struct {
	connector driver.Connector
	slots     chan struct{} // one token per lookup running: at most n connections
	closed    chan struct{} // closed by close: no more lookups
	closeOnce sync.Once

	mu sync.Mutex
	// idle are the open connections not in use, the most recently used
	// last and taken first: connections are opened only when needed, so
	// at low concurrency few are, and their page caches stay warm.
	idle []*reader
}

// reader is one connection and its prepared lookup. It is used by one
// goroutine at a time: whoever took it from idle.
type reader struct {
	conn driver.Conn
	stmt driver.Stmt
	get  driver.StmtQueryContext
	row  [13]driver.Value // one row of valueColumns, reused
}

// selectValues is the lookup of Get. It leaves out the key, which the
// caller has. Each column is an anonymous expression (+ is a no-op on any
// value): the driver copies every result column's name and declared type
// into Go strings on every query, and for an expression named "" both are
// empty, which costs nothing. Get needs neither.
var selectValues = func() string {
	cols := strings.Split(valueColumns, ",")
	for i, c := range cols {
		cols[i] = "+" + strings.TrimSpace(c) + ` AS ""`
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM resources WHERE collection = ? AND id = ?"
}()

// errClosed answers a lookup after Close. It wraps sql.ErrConnDone, which
// unavailable maps to EUNAVAILABLE: a server shutting down answers 503.
var errClosed = fmt.Errorf("sqlite: store is closed: %w", sql.ErrConnDone)

// readBusyTimeout bounds how long a lookup waits for a lock another
// process holds (in WAL mode only recovery or an exclusive locking mode
// makes a reader wait at all): gone.Service's default ReadTimeout, which
// the lookup's context no longer enforces inside the query (see lookup).
const readBusyTimeout = 2 * time.Second

func newReaders(path string, n int) (*readers, error) {
	c, err := sqlite.NewConnector(dsnBusy(path, readBusyTimeout, "_query_only=1"))
	if err != nil {
		return nil, err
	}
	return &readers{connector: c, slots: make(chan struct{}, n), closed: make(chan struct{})}, nil
}

// get looks up one record. Waiting for a free connection ends with ctx.
func (p *readers) get(ctx context.Context, collection, id string) (*gone.Record, error) {
	select {
	case p.slots <- struct{}{}:
	case <-p.closed:
		return nil, errClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.slots }()
	rd, err := p.take(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %s/%s: %w", collection, id, err)
	}
	defer p.put(rd)
	r, err := rd.lookup(ctx, collection, id)
	if err != nil && !gone.IsNotFound(err) {
		return nil, fmt.Errorf("sqlite: get %s/%s: %w", collection, id, err)
	}
	return r, err
}

// take returns the most recently used idle connection, or opens one.
func (p *readers) take(ctx context.Context) (*reader, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		rd := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return rd, nil
	}
	p.mu.Unlock()
	return p.open(ctx)
}

func (p *readers) put(rd *reader) {
	p.mu.Lock()
	p.idle = append(p.idle, rd)
	p.mu.Unlock()
}

func (p *readers) open(ctx context.Context) (*reader, error) {
	conn, err := p.connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	stmt, err := conn.(driver.ConnPrepareContext).PrepareContext(ctx, selectValues)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &reader{conn: conn, stmt: stmt, get: stmt.(driver.StmtQueryContext)}, nil
}

// lookup runs the prepared lookup; its single-statement read transaction
// sees the last committed state.
func (rd *reader) lookup(ctx context.Context, collection, id string) (_ *gone.Record, err error) {
	args := [2]driver.NamedValue{{Ordinal: 1, Value: collection}, {Ordinal: 2, Value: id}}
	// The query runs without ctx's cancellation: for a cancellable context
	// the driver starts a goroutine per query to watch it, which cost
	// about a third of a lookup. A lookup cannot run long anyway: WAL
	// readers never wait for writers, a lock held otherwise is waited for
	// at most readBusyTimeout, and a context already done is refused here.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := rd.get.QueryContext(context.WithoutCancel(ctx), args[:])
	if err != nil {
		return nil, err
	}
	// Closing resets the statement, which ends the read transaction.
	defer func() {
		if cerr := rows.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	switch err := rows.Next(rd.row[:]); {
	case err == io.EOF:
		return nil, notFound(collection, id)
	case err != nil:
		return nil, err
	}
	return recordFrom(collection, id, &rd.row), nil
}

// recordFrom builds the record (collection, id) from one row of
// valueColumns. The table is STRICT, so each value has its column's type,
// or is nil where the column may be NULL. The driver already copied text
// and blobs out of SQLite's memory, so the record may keep them.
func recordFrom(collection, id string, v *[13]driver.Value) *gone.Record {
	str := func(i int) string { s, _ := v[i].(string); return s }
	at := func(i int) time.Time {
		if n, ok := v[i].(int64); ok {
			return time.Unix(n, 0).UTC()
		}
		return time.Time{} // NULL: unset
	}
	r := &gone.Record{
		Collection: collection, ID: id,
		CreatedAt: at(2), UpdatedAt: at(3), DeletedAt: at(4), RestorableUntil: at(5),
		Reason: str(6), Alternative: str(7), DeletedBy: str(8),
		ExpiresAt: at(9), MovedTo: str(10), UnavailableUntil: at(11), DeprecatedAt: at(12),
	}
	if data, ok := v[0].([]byte); ok {
		r.Data = data
	}
	r.Version, _ = v[1].(int64)
	clear(v[:]) // the pooled row must not keep this record's data alive
	return r
}

// close waits for the lookups running, then closes every connection. Only
// the first call does anything.
func (p *readers) close() (err error) {
	p.closeOnce.Do(func() {
		close(p.closed)
		for range cap(p.slots) {
			p.slots <- struct{}{}
		}
		var errs []error
		for _, rd := range p.idle {
			errs = append(errs, rd.stmt.Close(), rd.conn.Close())
		}
		p.idle = nil
		err = errors.Join(errs...)
	})
	return err
}
