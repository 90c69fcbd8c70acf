package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/demo"
	"github.com/gonehttp/gone/httpapi"
	"github.com/gonehttp/gone/internal/logbuf"
	"github.com/gonehttp/gone/metrics"
	"github.com/gonehttp/gone/postgres"
	"github.com/gonehttp/gone/sqlite"
)

// shutdownTimeout bounds how long in-flight requests may take to finish
// after SIGINT or SIGTERM.
const shutdownTimeout = 10 * time.Second

func runServe(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "serve", "serve [--addr HOST:PORT] [--db PATH|postgres://…] [--config FILE] [--demo] [--purge-interval 1m]")
	addr := fs.String("addr", envOr(e, "GONE_ADDR", "127.0.0.1:8080"), "listen address (env GONE_ADDR)")
	dsn := fs.String("db", envOr(e, "GONE_DB", "./gone.db"), "SQLite file, or a postgres:// URL (env GONE_DB)")
	configPath := fs.String("config", envOr(e, "GONE_CONFIG", ""), "collections config file (env GONE_CONFIG); the demo's when empty")
	withDemo := fs.Bool("demo", false, "load the seeds' demo world where it is absent")
	ops, err := addOpsFlags(fs, e)
	if err != nil {
		return err
	}
	tune, err := addTuningFlags(fs, e)
	if err != nil {
		return err
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("serve takes no arguments, got %q", fs.Args())
	}
	// The log is buffered off the request's path; deferred first, its
	// Close runs last, after the server has drained, so no line is lost.
	logOut := tune.logWriter(e)
	defer logOut.Close()
	log := slog.New(logbuf.NewTextHandler(logOut, &slog.HandlerOptions{Level: logLevel(e)}))

	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	// The port first: when it is taken, nothing else happens (no database
	// file is created, no token is printed).
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) {
			err = op.Err // "bind: address already in use"
		}
		return fmt.Errorf("cannot listen on %s: %w", *addr, err)
	}
	defer ln.Close()
	if v := e.getenv("GONE_CORS_ORIGINS"); v != "" {
		// The environment wins over the file, as flags' env fallbacks do.
		if cfg.CORS.Origins, err = gone.ParseOrigins(v); err != nil {
			return usageError("GONE_CORS_ORIGINS: %v", err)
		}
	}
	store, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	reg, timed := newRegistry(store)
	cached, stopFeed := withCache(store, timed, tune, reg)
	defer stopFeed() // after store.Close in the code, so it runs before it
	svc := gone.NewService(cached, cfg)
	if *withDemo {
		if err := demo.Load(ctx, svc); err != nil {
			return err
		}
	}

	if err := registerCounts(reg, svc); err != nil {
		return err
	}
	// Deferred after store.Close, so it runs first: no pass outlives the store.
	defer startPurger(ctx, log, svc, *ops.purgeInterval, metrics.NewPurger(reg))()

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

	// Shutdown waits for handlers to return; change streams return when
	// stop closes, which RegisterOnShutdown does first.
	stop := make(chan struct{})
	srv := &http.Server{
		Handler: httpapi.NewServer(log, svc, tokens, httpapi.WithMetrics(reg), httpapi.WithMaxRetryAfter(*ops.maxRetryAfter),
			httpapi.WithAuthFailureLimit(*ops.authFailures), httpapi.WithShedding(tune.shedding()), httpapi.WithShutdown(stop)),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// Above httpapi.MaxHeaderBytes and MaxURIBytes, so an overlong
		// request gets gone's 414 or 431 problem, not net/http's plain 431.
		MaxHeaderBytes: 1 << 20,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(func() { close(stop) })
	fmt.Fprintf(e.stdout, "listening on http://%s\n", ln.Addr())
	fmt.Fprintf(e.stdout, "admin console: http://%s/admin/\n", ln.Addr())

	errc := make(chan error, 1)
	// GuardFraming refuses requests with both Content-Length and
	// Transfer-Encoding and closes their connection (RFC 9112 §6.3).
	go func() { errc <- srv.Serve(httpapi.GuardFraming(ln)) }()
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

// loadConfig reads the collections config, or the demo's without one.
func loadConfig(path string) (*gone.Config, error) {
	if path == "" {
		return demo.Config(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cfg, err := gone.ParseConfig(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
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
