// Command lookup is the hand-written-lookup reference of bench/perf.sh:
// what a developer writes by hand to serve gone's resources table. It is
// net/http and one prepared modernc.org/sqlite statement through
// database/sql, run for every GET: no cache, no log, no metrics. A live
// row answers 200 with its data, a permanently deleted or expired one 410,
// anything else 404. It is a yardstick for gone's store path, not a second
// gone: it knows no policies, moves, trash windows or cache headers.
//
// usage: lookup HOST:PORT DB-FILE   (a copy of a population file; prints "listening on http://ADDR")
package main

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"time"

	_ "modernc.org/sqlite"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "lookup:", err)
		os.Exit(1)
	}
}

// The columns that decide the answer (see sqlite/migrations/0001_init.sql);
// times are unix seconds, NULL when unset.
const query = `SELECT data, version, deleted_at, restorable_until, expires_at
	FROM resources WHERE collection = ? AND id = ?`

func run(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: lookup HOST:PORT DB-FILE")
	}
	if _, err := os.Stat(args[1]); err != nil {
		return err // sql.Open would create an empty file and answer 500s
	}
	db, err := sql.Open("sqlite", args[1]+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		return err
	}
	// Keep the connections open: a fresh one re-reads the schema and
	// re-prepares the statement.
	n := max(4, runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	stmt, err := db.Prepare(query)
	if err != nil {
		return fmt.Errorf("preparing the lookup on %s: %w", args[1], err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /api/{collection}/{id}", handler{stmt})
	ln, err := net.Listen("tcp", args[0])
	if err != nil {
		return err
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	return http.Serve(ln, mux)
}

type handler struct{ stmt *sql.Stmt }

var (
	goneBody     = []byte(`{"type":"/problems/gone","title":"Gone","status":410}` + "\n")
	notFoundBody = []byte(`{"type":"/problems/not-found","title":"Not Found","status":404}` + "\n")
)

func (h handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var (
		data                        []byte
		version                     int64
		deleted, restorable, expiry sql.NullInt64
	)
	err := h.stmt.QueryRowContext(r.Context(), r.PathValue("collection"), r.PathValue("id")).
		Scan(&data, &version, &deleted, &restorable, &expiry)
	now := time.Now().Unix()
	switch {
	case errors.Is(err, sql.ErrNoRows):
		problem(w, http.StatusNotFound, notFoundBody)
	case err != nil:
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
	case deleted.Valid && restorable.Valid && now < restorable.Int64:
		problem(w, http.StatusNotFound, notFoundBody) // in the trash: not disclosed
	case deleted.Valid, expiry.Valid && now >= expiry.Int64:
		problem(w, http.StatusGone, goneBody)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"`+strconv.FormatInt(version, 10)+`"`)
		w.Write(data)
	}
}

func problem(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	w.Write(body)
}
