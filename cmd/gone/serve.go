package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/answer"
	"github.com/gonehttp/gone/config"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/edge"
	"github.com/gonehttp/gone/gonehttp"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/inbox"
	"github.com/gonehttp/gone/internal/logbuf"
	"github.com/gonehttp/gone/metrics"
	"github.com/gonehttp/gone/postgres"
	"github.com/gonehttp/gone/sqlite"
)

// shutdownTimeout bounds how long in-flight requests may take to finish
// after SIGINT or SIGTERM.
const shutdownTimeout = 10 * time.Second

func runServe(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "serve", "serve (--config FILE | --demo) [--addr HOST:PORT] [--db PATH|postgres://…] [--tls-cert FILE --tls-key FILE] [--purge-interval 1m]")
	addr := envString(fs, e, "addr", "GONE_ADDR", "127.0.0.1:8080", "listen address")
	bf, err := addBackendFlags(fs, e)
	if err != nil {
		return err
	}
	withDemo := fs.Bool("demo", false, "load the seeds' demo world where it is absent")
	inf, err := addInboxFlags(fs, e)
	if err != nil {
		return err
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("serve takes no arguments, got %q", fs.Args())
	}
	if *bf.configPath == "" && !*withDemo {
		// A server run for real must not quietly serve the demo's world.
		return usageError("%s", needConfig)
	}
	bf.demo = *withDemo
	tlsCfg, err := bf.tls.config()
	if err != nil {
		return err
	}
	// The port first: when it is taken, nothing else happens (no database
	// file is created, no token is printed).
	ln, err := listen(*addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	b, err := openBackend(ctx, e, bf)
	if err != nil {
		return err
	}
	defer b.close()
	if *withDemo {
		if err := demo.Load(ctx, b.svc); err != nil {
			return err
		}
	}
	stopMetrics, err := serveMetrics(ctx, e, b.log, *bf.ops.metricsAddr, b.reg)
	if err != nil {
		return err
	}
	defer stopMetrics()
	// The inbox stops (and flushes) before the store closes.
	rec, is, stopInbox, err := inf.start(ctx, b)
	if err != nil {
		return err
	}
	defer stopInbox()
	// Path rules (GET /rules, the inbox's 410s and 308s) are answered on
	// every path no route of the API serves, as gone proxy answers them.
	rules, stopRules, err := b.rules(ctx, 100*time.Millisecond, time.Minute, *bf.ops.maxRetryAfter)
	if err != nil {
		return err
	}
	defer stopRules()
	stop := make(chan struct{})
	opts := append(bf.apiOptions(b, stop), httpapi.WithMetricsAccess(bf.ops.metricsAccess()), httpapi.WithRules(rules))
	if rec != nil {
		opts = append(opts, httpapi.WithMisses(rec), httpapi.WithInbox(inbox.New(b.svc, is, rec, nil)))
	}
	h := httpapi.NewServer(b.log, b.svc, b.tokens, opts...)
	ec := bf.edgeConfig(b, "/", func(r *http.Request) bool { return httpapi.NeverShed(r, r.URL.Path) })
	return serveOn(ctx, e, b.log, ln, tlsCfg, h, 30*time.Second, "/", ec, stop)
}

// backendFlags are the flags of everything that runs over a store: serve
// and proxy.
type backendFlags struct {
	dsn, configPath *string
	demo            bool // serve --demo: the demo's collections without a config
	tls             tlsFlags
	ops             opsFlags
	tune            tuning
	webhooksPoll    *time.Duration
	search          searchFlags
}

func addBackendFlags(fs *flag.FlagSet, e env) (backendFlags, error) {
	bf := backendFlags{
		dsn:        envString(fs, e, "db", "GONE_DB", "./gone.db", "SQLite file, or a postgres:// URL"),
		configPath: envString(fs, e, "config", "GONE_CONFIG", "", "collections config file (JSON; lines starting with // are comments)"),
	}
	bf.tls = addTLSFlags(fs, e)
	var err error
	if bf.ops, err = addOpsFlags(fs, e); err != nil {
		return bf, err
	}
	if bf.webhooksPoll, err = addWebhookFlags(fs, e); err != nil {
		return bf, err
	}
	bf.search = addSearchFlags(fs, e)
	bf.tune, err = addTuningFlags(fs, e)
	return bf, err
}

// edgeConfig is what the edge of serve and of the proxy alike needs: the
// request log, the request counts, shedding (except what unshed names), the
// CORS policy for the edge's own answers, where the door documents its
// problem types (below consoleBase), and the idle bound on request bodies.
func (bf backendFlags) edgeConfig(b *backend, consoleBase string, unshed func(*http.Request) bool) edge.Config {
	return edge.Config{Log: b.log, Metrics: metrics.NewHTTP(b.reg), Shedding: bf.tune.shedding(), Unshed: unshed,
		CORS: answer.NewCORS(b.cors), ProblemBase: consoleBase + "problems/", BodyIdleTimeout: *bf.ops.bodyIdle}
}

// apiOptions are the options of gone's API, for serve and for the proxy's
// admin prefix alike; stop closes when the server shuts down.
func (bf backendFlags) apiOptions(b *backend, stop chan struct{}) []httpapi.Option {
	return []httpapi.Option{httpapi.WithMetrics(b.reg), httpapi.WithMaxRetryAfter(*bf.ops.maxRetryAfter),
		httpapi.WithAuthFailureLimit(*bf.ops.authFailures), httpapi.WithShutdown(stop),
		httpapi.WithCORS(b.cors), httpapi.WithWebhooks(b.hooks), httpapi.WithSitemaps(b.sitemaps), httpapi.WithMemos(b.memos)}
}

// backend is what serve and proxy share: the store, the service over it,
// the metrics registry, the tokens, the log and the purger.
type backend struct {
	log    *slog.Logger
	svc    *gone.Service
	reg    *prometheus.Registry
	tokens *httpapi.Tokens
	hooks  gone.WebhookStore
	// sitemaps are the checked --site-url and --removed-window.
	sitemaps httpapi.SitemapSettings
	// inbox is the store's 404 inbox, nil if it keeps none.
	inbox gone.InboxStore
	// cors is the front doors' CORS policy (config file, GONE_CORS_ORIGINS).
	cors answer.CORSPolicy
	// memos is the read cache, which keeps the API's answers beside its
	// records; nil without a cache.
	memos httpapi.Memos
	close func()
}

// rules loads the path rules of the backend's store and follows their
// changes (every poll, and all of them again every reload) until the
// returned stop, which the caller runs before the store closes.
func (b *backend) rules(ctx context.Context, poll, reload, maxRetry time.Duration, opts ...gonehttp.Option) (*gonehttp.Rules, func(), error) {
	opts = append([]gonehttp.Option{gonehttp.WithLogger(b.log), gonehttp.WithCORS(b.cors), gonehttp.WithMaxRetryAfter(maxRetry)}, opts...)
	rules, err := gonehttp.Load(ctx, b.svc, opts...)
	if err != nil {
		return nil, nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); rules.Run(rctx, poll, reload) }()
	return rules, func() { cancel(); <-done }, nil
}

// listen opens addr, with the error a person can act on.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) {
			err = op.Err // "bind: address already in use"
		}
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return ln, nil
}

// openBackend opens the store and everything over it. close stops the
// purger and the cache feed, closes the store, and flushes the log last.
func openBackend(ctx context.Context, e env, bf backendFlags) (b *backend, err error) {
	// The log is buffered off the request's path; its Close runs last,
	// after the server has drained, so no line is lost.
	logOut := bf.tune.logWriter(e)
	log := slog.New(logbuf.NewTextHandler(logOut, &slog.HandlerOptions{Level: logLevel(e)}))
	var closers []func()
	defer func() {
		if err != nil {
			for i := len(closers) - 1; i >= 0; i-- {
				closers[i]()
			}
			logOut.Close()
		}
	}()
	cfg, cors, err := bf.config()
	if err != nil {
		return nil, err
	}
	sitemaps, err := bf.search.settings()
	if err != nil {
		return nil, err
	}
	if v := e.getenv("GONE_CORS_ORIGINS"); v != "" {
		// The environment wins over the file, as flags' env fallbacks do.
		if cors.Origins, err = answer.ParseOrigins(v); err != nil {
			return nil, usageError("GONE_CORS_ORIGINS: %v", err)
		}
	}
	store, err := openStore(ctx, *bf.dsn)
	if err != nil {
		return nil, err
	}
	closers = append(closers, func() { store.Close() })
	reg, timed := newRegistry(store)
	cached, stopFeed := withCache(store, timed, bf.tune, reg)
	closers = append(closers, stopFeed)
	svc := gone.NewService(cached, cfg)
	if err := registerCounts(reg, cached, svc); err != nil {
		return nil, err
	}
	// The purger stops first: no pass outlives the store.
	closers = append(closers, startPurger(ctx, log, svc, *bf.ops.purgeInterval, metrics.NewPurger(reg)))
	hooks, _ := store.(gone.WebhookStore)
	closers = append(closers, startDeliverer(ctx, log, hooks, cached, svc, *bf.webhooksPoll))

	tokens := httpapi.NewTokens()
	admin := e.getenv("GONE_ADMIN_TOKEN")
	if admin == "" {
		admin = newToken()
		fmt.Fprintf(e.stdout, "admin token (set GONE_ADMIN_TOKEN to choose one): %s\n", admin)
	}
	// The environment's tokens are the bootstrap: they work before any
	// named token exists (gone token create makes those).
	tokens.Add(admin, gone.BootstrapAdmin, true)
	if read := e.getenv("GONE_READ_TOKEN"); read != "" {
		tokens.Add(read, gone.BootstrapReader, false)
	}
	is, _ := store.(gone.InboxStore)
	memos, _ := cached.(httpapi.Memos)
	return &backend{log: log, svc: svc, reg: reg, tokens: tokens, hooks: hooks, sitemaps: sitemaps, inbox: is, cors: cors, memos: memos, close: func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
		logOut.Close()
	}}, nil
}

// serveOn serves h on ln (over TLS when tlsCfg is not nil) until ctx ends,
// then gives in-flight requests shutdownTimeout to finish; stop closes
// first, so change streams end.
// writeTimeout 0 lets a response take as long as it needs (the proxy
// streams). The admin console is announced below consoleBase ("/" for
// serve, the admin prefix for the proxy).
func serveOn(ctx context.Context, e env, log *slog.Logger, ln net.Listener, tlsCfg *tls.Config, h http.Handler, writeTimeout time.Duration, consoleBase string, ec edge.Config, stop chan struct{}) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       writeTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(func() { close(stop) })
	scheme := "http"
	if tlsCfg != nil {
		scheme = "https"
	}
	fmt.Fprintf(e.stdout, "listening on %s://%s\n", scheme, ln.Addr())
	if consoleBase != "" {
		fmt.Fprintf(e.stdout, "admin console: %s://%s%sadmin/\n", scheme, ln.Addr(), consoleBase)
	}

	errc := make(chan error, 1)
	// The edge refuses what could be framed two ways and closes its
	// connection (RFC 9112 §6), and what is too large to serve; with TLS
	// it terminates TLS below that guard.
	ec.TLS = tlsCfg
	go func() { errc <- edge.Serve(srv, ln, ec) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// ctx is done: give in-flight requests a fresh deadline to finish.
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// needConfig is what serve says when it has neither --config nor --demo.
const needConfig = `serve needs to know which collections it serves: give --config FILE (or set GONE_CONFIG), or --demo for the seeds' demo world.
A minimal config file:

  {"collections": [{"name": "users", "restoreWindow": "30d"}]}

examples/production/gone.json is a commented example, and README.md ("Configuration") lists every field.`

// config is the collections config: the file's; the demo's under --demo
// without one; and without either (only the proxy, whose paths are rules)
// no collections.
func (bf backendFlags) config() (*gone.Config, answer.CORSPolicy, error) {
	switch {
	case *bf.configPath != "":
		return loadConfig(*bf.configPath)
	case bf.demo:
		return demo.Config(), answer.CORSPolicy{}, nil
	}
	return &gone.Config{Collections: map[string]gone.Policy{}, Reasons: map[string]map[string]string{}}, answer.CORSPolicy{}, nil
}

// loadConfig reads the config file at path: the collections, and the
// front doors' CORS policy.
func loadConfig(path string) (*gone.Config, answer.CORSPolicy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, answer.CORSPolicy{}, err
	}
	defer f.Close()
	cfg, cors, err := config.Parse(f)
	if err != nil {
		return nil, cors, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, cors, nil
}

// openStore opens PostgreSQL for a postgres:// URL and SQLite otherwise.
func openStore(ctx context.Context, dsn string) (gone.Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(ctx, dsn)
}

func newToken() string {
	var b [24]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func logLevel(e env) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(envOr(e, "GONE_LOG_LEVEL", "info"))); err != nil {
		return slog.LevelInfo
	}
	return l
}
