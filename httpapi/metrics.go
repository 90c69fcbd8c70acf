package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gonehttp/gone"
)

// Option configures NewServer.
type Option func(*server)

// WithMetrics counts requests and decisions in reg and serves everything
// registered in reg (the store's and the purger's metrics too) at
// GET /metrics, to a token with the read scope on every collection unless
// WithMetricsAccess says otherwise. The registry is the caller's, not the
// global one, so two servers in one test process do not share counters
// unless asked to.
func WithMetrics(reg *prometheus.Registry) Option {
	return func(s *server) { s.metrics = newHTTPMetrics(reg) }
}

// MetricsAccess says who may read GET /metrics.
type MetricsAccess int

const (
	// MetricsToken serves /metrics to a token with the read scope on every
	// collection (the default). The counts hold no more than such a token
	// may read, but they are the whole server's traffic: not for the
	// public.
	MetricsToken MetricsAccess = iota
	// MetricsPublic serves /metrics to anyone: for a server that only a
	// private network reaches.
	MetricsPublic
	// MetricsHidden counts but serves no /metrics route, for a front door
	// whose listener is the public's (the proxy) while the registry is
	// served elsewhere.
	MetricsHidden
)

// WithMetricsAccess says who may read GET /metrics (MetricsToken unless
// given); it matters only with WithMetrics.
func WithMetricsAccess(a MetricsAccess) Option {
	return func(s *server) { s.metricsAccess = a }
}

// httpMetrics are the HTTP layer's metrics. A nil *httpMetrics records
// nothing, so handlers need not check whether metrics are on.
type httpMetrics struct {
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	decisions *prometheus.CounterVec
	shedTotal prometheus.Counter
	replayed  prometheus.Counter
	handler   http.Handler

	// The label children each request would look up (hashing its label
	// values, formatting its status) are resolved once per combination.
	mu      sync.RWMutex
	routes  map[routeStatus]routeChildren
	decided map[gone.Answer]prometheus.Counter
}

type routeStatus struct {
	route  string
	status int
}

type routeChildren struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	return &httpMetrics{
		requests: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gone_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"route", "status"})),
		duration: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gone_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"})),
		decisions: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gone_decisions_total",
			// Never by the id's true state: a soft-deleted id and one that
			// never existed get one 404, and a counter that told them apart
			// would be an oracle for anyone who can read it.
			Help: "Reads of one id, by the answer given.",
		}, []string{"answer"})),
		shedTotal: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gone_http_shed_total",
			Help: "Requests refused at once with 503 because the server was at its in-flight and queue limits.",
		})),
		replayed: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gone_http_replayed_total",
			Help: "Reads of one id answered with the answer kept from an earlier identical read (see docs/performance.md).",
		})),
		routes:  map[routeStatus]routeChildren{},
		decided: map[gone.Answer]prometheus.Counter{},
		// ContinueOnError: a count that cannot be read at scrape time
		// (the store is down) must not hide every other metric.
		handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}),
	}
}

// register adds c to reg, or returns the collector already registered
// under the same description, so several servers may share one registry.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err) // a programming error: two metrics with one name
	}
	return c
}

// replay counts one read answered from a memo.
func (m *httpMetrics) replay() {
	if m != nil {
		m.replayed.Inc()
	}
}

// decision counts one read's decision, by its answer alone.
func (m *httpMetrics) decision(d gone.Decision) {
	if m == nil {
		return
	}
	k := d.Answer
	m.mu.RLock()
	c, ok := m.decided[k]
	m.mu.RUnlock()
	if !ok {
		c = m.decisions.WithLabelValues(string(d.Answer))
		m.mu.Lock()
		m.decided[k] = c
		m.mu.Unlock()
	}
	c.Inc()
}

// shed counts one request refused by the limiter.
func (m *httpMetrics) shed() {
	if m == nil {
		return
	}
	m.shedTotal.Inc()
}

// request counts one answered request. Requests answered before routing
// (a bad token, a non-canonical path) have the route "none"; unknown routes
// and 405s match the catch-all "/".
func (m *httpMetrics) request(route string, status int, elapsed time.Duration) {
	if m == nil {
		return
	}
	k := routeStatus{route, status}
	m.mu.RLock()
	c, ok := m.routes[k]
	m.mu.RUnlock()
	if !ok {
		c = routeChildren{m.requests.WithLabelValues(route, strconv.Itoa(status)), m.duration.WithLabelValues(route)}
		m.mu.Lock()
		m.routes[k] = c
		m.mu.Unlock()
	}
	c.requests.Inc()
	c.duration.Observe(elapsed.Seconds())
}

// handleMetrics serves the registry in the Prometheus text format, to the
// callers s.metricsAccess admits.
func (s *server) handleMetrics() http.Handler {
	if s.metricsAccess == MetricsPublic {
		return s.metrics.handler
	}
	return s.require(gone.ScopeRead)(s.metrics.handler)
}

// servesMetrics says whether GET /metrics is a route.
func (s *server) servesMetrics() bool {
	return s.metrics != nil && s.metricsAccess != MetricsHidden
}
