package main

import (
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/metrics"
)

// opsFlags are serve's operations settings.
type opsFlags struct {
	purgeInterval *time.Duration
	authFailures  *int
}

// addOpsFlags adds serve's operations flags to fs. An unparsable
// GONE_PURGE_INTERVAL is a usage error rather than a silent default: a
// purger that never runs would leave erasure undone.
func addOpsFlags(fs *flag.FlagSet, e env) (opsFlags, error) {
	def := time.Minute
	if v := envOr(e, "GONE_PURGE_INTERVAL", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return opsFlags{}, usageError("GONE_PURGE_INTERVAL=%q is not a duration such as 1m", v)
		}
		def = d
	}
	failures := httpapi.DefaultAuthFailures
	if v := envOr(e, "GONE_AUTH_FAILURES", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return opsFlags{}, usageError("GONE_AUTH_FAILURES=%q is not a count such as 10", v)
		}
		failures = n
	}
	return opsFlags{
		purgeInterval: fs.Duration("purge-interval", def,
			"how often to erase the payload of trash whose restore window passed; 0 disables (env GONE_PURGE_INTERVAL)"),
		authFailures: fs.Int("auth-failures", failures,
			"failed authentications a client address may make per minute before it is answered 429; 0 disables (env GONE_AUTH_FAILURES)"),
	}, nil
}

// newRegistry returns the registry /metrics serves, with the Go runtime's
// and the process's own metrics, and store wrapped so every call is timed,
// its token calls too (tokens is nil for a store that keeps none).
func newRegistry(store gone.Store) (reg *prometheus.Registry, timed gone.Store, tokens gone.TokenStore) {
	reg = prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := metrics.InstrumentStore(store, reg)
	ts, _ := store.(gone.TokenStore)
	return reg, m, m.Tokens(ts)
}

// registerCounts adds the trash and tombstone counts, read at scrape time
// through svc's (instrumented) store.
func registerCounts(reg *prometheus.Registry, svc *gone.Service) error {
	if err := reg.Register(metrics.NewCounts(svc.Store, svc.Config, svc.Now)); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}
