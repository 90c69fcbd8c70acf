// Command cachesim replays perf.sh's sequence of requests against the read
// cache alone, with a store that answers at once, and reports how many of
// the reads would have been answered from a kept answer and how many
// would have reached the store. It isolates the cache's policy (bounds,
// eviction, when an answer is kept) from the speed of everything else:
//
//	cachesim -zipf paths-zipf.txt -uniform paths-uniform.txt -mib 32
//
// The sequence is perf.sh's: a warm-up of each mix, then rounds of Zipf
// then uniform, each starting again at the first path, at the request
// rates given (what the server did in the run being explained).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/readcache"
)

// instant is a store that holds live users u…, deleted ones t…, and
// nothing else, and answers at once.
type instant struct{ gone.Store }

func (instant) Get(_ context.Context, collection, id string) (*gone.Record, error) {
	switch {
	case strings.HasPrefix(id, "u"):
		return &gone.Record{Collection: collection, ID: id, Version: 1, Data: []byte(`{"name":"User 0012345","email":"u12345@example.com"}`)}, nil
	case strings.HasPrefix(id, "t"):
		return &gone.Record{Collection: collection, ID: id, Version: 2, Reason: "user_request"}, nil
	}
	return nil, gone.Errorf(gone.ENOTFOUND, "%s/%s does not exist.", collection, id)
}

// answer stands for a kept answer of the size the HTTP API's are.
type answer int

func (a answer) Size() int { return int(a) }

// answerSize is about what httpapi's memo of each kind holds (Size).
func answerSize(id string) answer {
	switch {
	case strings.HasPrefix(id, "u"):
		return 730
	case strings.HasPrefix(id, "t"):
		return 1100
	}
	return 950
}

func main() {
	zipfPath := flag.String("zipf", "", "Zipf paths file (perf.sh's)")
	uniformPath := flag.String("uniform", "", "uniform paths file (perf.sh's)")
	mib := flag.Int("mib", readcache.DefaultMaxBytes>>20, "cache bound in MiB (0: none)")
	entries := flag.Int("entries", readcache.DefaultMaxEntries, "cache bound in ids")
	zipfRate := flag.Int("zipf-rate", 10000, "Zipf requests per second")
	uniformRate := flag.Int("uniform-rate", 6000, "uniform requests per second")
	secs := flag.Int("secs", 10, "seconds per round")
	rounds := flag.Int("rounds", 2, "rounds")
	flag.Parse()
	zipf, uniform := load(*zipfPath), load(*uniformPath)

	c := readcache.New(instant{}, *entries, true, readcache.MaxBytes(*mib<<20))
	run := func(paths []string, n int) (replayed, stored float64) {
		var r, s int
		for i := range n {
			id := paths[i%len(paths)]
			// What httpapi's serveRead does: a kept answer, or the full
			// path (a lookup, from memory or the store), keeping the
			// answer on the second read of an id held in memory.
			memo, held, gen := c.Memo("users", id)
			if memo != nil {
				r++
				continue
			}
			if !held {
				s++
			}
			c.Get(context.Background(), "users", id)
			if held {
				c.KeepMemo("users", id, gen, func(any) any { return answerSize(id) })
			}
		}
		return float64(r) / float64(n), float64(s) / float64(n)
	}
	run(zipf, 3**zipfRate)
	run(uniform, 3**uniformRate)
	for round := 1; round <= *rounds; round++ {
		zr, zs := run(zipf, *secs**zipfRate)
		ur, us := run(uniform, *secs**uniformRate)
		fmt.Printf("round %d: zipf replayed %.2f store %.2f; uniform replayed %.2f store %.2f; %d ids, %d MiB\n",
			round, zr, zs, ur, us, c.Len(), c.Bytes()>>20)
	}
}

// load reads a paths file into the ids it asks for.
func load(name string) []string {
	f, err := os.Open(name)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if _, id, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "/api/"), "/"); ok {
			ids = append(ids, id)
		}
	}
	if err := sc.Err(); err != nil || len(ids) == 0 {
		log.Fatalf("%s: no paths (%v)", name, err)
	}
	return ids
}
