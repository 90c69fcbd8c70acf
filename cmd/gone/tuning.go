package main

import (
	"context"
	"flag"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/edge"
	"github.com/gonehttp/gone/internal/logbuf"
	"github.com/gonehttp/gone/metrics"
	"github.com/gonehttp/gone/postgres"
	"github.com/gonehttp/gone/readcache"
	"github.com/gonehttp/gone/sqlite"
)

// tuning are the speed settings of serve and proxy: the read cache, overload shedding and
// the access log's buffer. Each has a flag and an environment variable.
type tuning struct {
	cacheEntries *int
	cacheMiB     *int
	followEvery  *time.Duration
	maxInFlight  *int
	maxQueue     *int
	queueWait    *time.Duration
	logFlush     *time.Duration
}

// addTuningFlags adds the tuning flags to fs, with defaults from the
// environment; an unparsable value there is a usage error.
func addTuningFlags(fs *flag.FlagSet, e env) (tuning, error) {
	var t tuning
	var err error
	intVar := func(name, envName string, def int, usage string) *int {
		if v := envOr(e, envName, ""); v != "" && err == nil {
			n, perr := strconv.Atoi(v)
			if perr != nil || n < 0 {
				err = usageError("%s=%q is not a whole number", envName, v)
			}
			def = n
		}
		return fs.Int(name, def, usage+" (env "+envName+")")
	}
	durVar := func(name, envName string, def time.Duration, usage string) *time.Duration {
		if v := envOr(e, envName, ""); v != "" && err == nil {
			d, perr := time.ParseDuration(v)
			if perr != nil || d < 0 {
				err = usageError("%s=%q is not a duration such as 20ms", envName, v)
			}
			def = d
		}
		return fs.Duration(name, def, usage+" (env "+envName+")")
	}
	procs := runtime.GOMAXPROCS(0)
	t.cacheMiB = intVar("cache-mib", "GONE_CACHE_MIB", readcache.DefaultMaxBytes>>20,
		"MiB the read cache's records and kept answers may hold, as it estimates them")
	t.cacheEntries = intVar("cache-entries", "GONE_CACHE_ENTRIES", readcache.DefaultMaxEntries,
		"ids kept in the read cache; 0 turns it off")
	t.followEvery = durVar("follow-every", "GONE_FOLLOW_EVERY", sqlite.DefaultFollowEvery,
		"SQLite: how often to look for other processes' writes (the cache's staleness bound for them)")
	t.maxInFlight = intVar("max-inflight", "GONE_MAX_INFLIGHT", 32*procs,
		"requests handled at once before others queue; 0 turns shedding off")
	t.maxQueue = intVar("max-queue", "GONE_MAX_QUEUE", 256*procs,
		"requests that may wait for a slot; more are refused at once with 503")
	t.queueWait = durVar("queue-wait", "GONE_QUEUE_WAIT", 100*time.Millisecond,
		"longest a request waits for a slot before a 503 while the queue drains (5ms once it stands)")
	t.logFlush = durVar("log-flush", "GONE_LOG_FLUSH", time.Second,
		"how often the buffered request log is written out")
	return t, err
}

func (t tuning) shedding() edge.Shedding {
	return edge.Shedding{MaxInFlight: *t.maxInFlight, MaxQueue: *t.maxQueue, QueueWait: *t.queueWait}
}

func (t tuning) logWriter(e env) *logbuf.Writer {
	return logbuf.New(e.stderr, logbuf.DefaultSize, *t.logFlush)
}

// withCache puts the read cache in front of store (the instrumented one)
// and starts the feed of raw that tells it about other writers. Without a
// feed there is no cache: a store this process cannot follow could change
// under it. The returned stop ends the feed.
func withCache(raw, store gone.Store, t tuning, reg prometheus.Registerer) (gone.Store, func()) {
	if *t.cacheEntries <= 0 {
		return store, func() {}
	}
	// Untrusted until the feed is in place: reads go to the store till then.
	c := readcache.New(store, *t.cacheEntries, false, readcache.MaxBytes(*t.cacheMiB<<20))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	switch s := raw.(type) {
	case *sqlite.Store:
		wg.Go(func() { s.Follow(ctx, c, *t.followEvery) })
	case *postgres.Store:
		wg.Go(func() { s.Follow(ctx, c) })
	default:
		cancel()
		return store, func() {}
	}
	metrics.RegisterCache(reg, c)
	return c, func() { cancel(); wg.Wait() }
}
