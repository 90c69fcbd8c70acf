package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/edge"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/metrics"
)

// opsFlags are the operations settings of serve and proxy.
type opsFlags struct {
	purgeInterval *time.Duration
	maxRetryAfter *time.Duration
	authFailures  *int
	metricsAddr   *string
	metricsPublic *bool
	bodyIdle      *time.Duration
}

// addOpsFlags adds serve's operations flags to fs. An unparsable
// GONE_PURGE_INTERVAL is a usage error rather than a silent default: a
// purger that never runs would leave erasure undone.
func addOpsFlags(fs *flag.FlagSet, e env) (opsFlags, error) {
	purge, err := envDuration(e, "GONE_PURGE_INTERVAL", time.Minute, 0)
	if err != nil {
		return opsFlags{}, err
	}
	maxRetry, err := envDuration(e, "GONE_MAX_RETRY_AFTER", httpapi.DefaultMaxRetryAfter, time.Second)
	if err != nil {
		return opsFlags{}, err
	}
	bodyIdle, err := envDuration(e, "GONE_BODY_IDLE_TIMEOUT", edge.DefaultBodyIdleTimeout, 0)
	if err != nil {
		return opsFlags{}, err
	}
	failures := edge.DefaultAuthFailures
	if v := envOr(e, "GONE_AUTH_FAILURES", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return opsFlags{}, usageError("GONE_AUTH_FAILURES=%q is not a count such as 10", v)
		}
		failures = n
	}
	return opsFlags{
		purgeInterval: fs.Duration("purge-interval", purge,
			"how often to erase the payload of trash whose restore window passed; 0 disables (env GONE_PURGE_INTERVAL)"),
		maxRetryAfter: fs.Duration("max-retry-after", maxRetry,
			"cap on the Retry-After of 503 answers; the body's availableAt keeps the exact end (env GONE_MAX_RETRY_AFTER)"),
		authFailures: fs.Int("auth-failures", failures,
			"failed authentications a client address may make per minute before it is answered 429; 0 disables (env GONE_AUTH_FAILURES)"),
		metricsAddr: fs.String("metrics-addr", envOr(e, "GONE_METRICS_ADDR", ""),
			"also serve /metrics, without a token, on this address of its own, e.g. a private interface (env GONE_METRICS_ADDR)"),
		metricsPublic: fs.Bool("metrics-public", false,
			"serve: let anyone read /metrics on --addr; without it /metrics needs a token with the read scope on every collection"),
		bodyIdle: fs.Duration("body-idle-timeout", bodyIdle,
			"how long to wait for the next bytes of a request body (then 408); 0 waits forever (env GONE_BODY_IDLE_TIMEOUT)"),
	}, nil
}

// envDuration reads a duration setting from the environment, def when
// unset; one that does not parse, or is below least, is a usage error.
func envDuration(e env, name string, def, least time.Duration) (time.Duration, error) {
	v := envOr(e, name, "")
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < least {
		return 0, usageError("%s=%q is not a duration such as %s", name, v, def)
	}
	return d, nil
}

// newRegistry returns the registry /metrics serves, with the Go runtime's
// and the process's own metrics, and store wrapped so every call is timed
// (its token calls too: the wrapper is a gone.TokenStore).
func newRegistry(store gone.Store) (*prometheus.Registry, gone.Store) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg, metrics.InstrumentStore(store, reg)
}

// registerCounts adds the trash and tombstone counts, read at scrape time
// through store, svc's (instrumented) store.
func registerCounts(reg *prometheus.Registry, store gone.Store, svc *gone.Service) error {
	if err := reg.Register(metrics.NewCounts(store, svc.Config(), svc.Now)); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}

// metricsAccess is who may read /metrics on the main listener.
func (o opsFlags) metricsAccess() httpapi.MetricsAccess {
	if *o.metricsPublic {
		return httpapi.MetricsPublic
	}
	return httpapi.MetricsToken
}

// serveMetrics serves reg at /metrics on addr, a listener of its own that
// asks no token (whoever can reach the address may read it: choose a
// private one), until ctx ends. With addr empty it does nothing. The
// returned stop closes the listener and waits for its server.
func serveMetrics(ctx context.Context, e env, log *slog.Logger, addr string, reg *prometheus.Registry) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := listen(addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	fmt.Fprintf(e.stdout, "metrics: http://%s/metrics\n", ln.Addr())
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Through the same framing guard as every other listener.
		if err := edge.Serve(srv, ln, edge.Config{Log: log}); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "err", err)
		}
	}()
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		srv.Shutdown(sctx)
		<-done
	}, nil
}
