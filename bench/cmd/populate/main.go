// Command populate fills a gone store for bench/perf.sh through the
// project's own stores: LIVE live users (u0000000…) and GONE permanently
// deleted ones (t0000000…), 10,000 per transaction.
//
// usage: populate DB-FILE|postgres://… LIVE GONE
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/postgres"
	"github.com/gonehttp/gone/sqlite"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "populate:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("usage: populate DB-FILE|postgres://… LIVE GONE")
	}
	live, err1 := strconv.Atoi(args[1])
	tombs, err2 := strconv.Atoi(args[2])
	if err1 != nil || err2 != nil || live < 0 || tombs < 0 {
		return fmt.Errorf("LIVE and GONE must be whole numbers")
	}
	ctx := context.Background()
	var s gone.Store
	var err error
	if strings.HasPrefix(args[0], "postgres://") {
		s, err = postgres.Open(ctx, args[0])
	} else {
		s, err = sqlite.Open(ctx, args[0])
	}
	if err != nil {
		return err
	}
	defer s.Close()
	now := time.Now().UTC().Truncate(time.Second)
	del := now.Add(-30 * 24 * time.Hour)
	start := time.Now()
	put := func(n int, mk func(i int) *gone.Record) error {
		for i := 0; i < n; i += 10000 {
			err := s.Update(ctx, func(tx gone.Tx) error {
				for j := i; j < i+10000 && j < n; j++ {
					if err := tx.Put(ctx, mk(j)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	}
	err = put(live, func(i int) *gone.Record {
		data, _ := json.Marshal(map[string]string{"name": fmt.Sprintf("User %07d", i), "email": fmt.Sprintf("u%d@example.com", i)})
		return &gone.Record{Collection: "users", ID: fmt.Sprintf("u%07d", i), Data: data, Version: 1, CreatedAt: now, UpdatedAt: now}
	})
	if err != nil {
		return err
	}
	err = put(tombs, func(i int) *gone.Record {
		return &gone.Record{Collection: "users", ID: fmt.Sprintf("t%07d", i), Version: 2, CreatedAt: del, UpdatedAt: del,
			DeletedAt: del, Reason: "user_request", DeletedBy: "admin"}
	})
	if err != nil {
		return err
	}
	fmt.Printf("populated %d live + %d gone in %.1fs\n", live, tombs, time.Since(start).Seconds())
	return nil
}
