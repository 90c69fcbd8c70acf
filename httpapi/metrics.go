package httpapi

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gonehttp/gone"
	"github.com/gonehttp/gone/metrics"
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

// httpMetrics are the API's own metrics: decisions and replays (the edge
// counts requests, metrics.HTTP). A nil *httpMetrics records nothing, so
// handlers need not check whether metrics are on.
type httpMetrics struct {
	decisions *prometheus.CounterVec
	replayed  prometheus.Counter
	handler   http.Handler

	// The label child each decision would look up (hashing its label
	// value) is resolved once per answer.
	mu      sync.RWMutex
	decided map[gone.Answer]prometheus.Counter
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	return &httpMetrics{
		decisions: metrics.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gone_decisions_total",
			// Never by the id's true state: a soft-deleted id and one that
			// never existed get one 404, and a counter that told them apart
			// would be an oracle for anyone who can read it.
			Help: "Reads of one id, by the answer given.",
		}, []string{"answer"})),
		replayed: metrics.Register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gone_http_replayed_total",
			Help: "Reads of one id answered with the answer kept from an earlier identical read (see docs/performance.md).",
		})),
		decided: map[gone.Answer]prometheus.Counter{},
		// ContinueOnError: a count that cannot be read at scrape time
		// (the store is down) must not hide every other metric.
		handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}),
	}
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
