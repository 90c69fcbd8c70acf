package metrics

import (
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// HTTP counts what the edge sees on a front door (edge.Metrics): every
// request by the route that served it and its status, how long each
// route took, and the requests shed.
type HTTP struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	shed     prometheus.Counter

	// The label children each request would look up (hashing its label
	// values, formatting its status) are resolved once per combination.
	mu     sync.RWMutex
	routes map[routeStatus]routeChildren
}

type routeStatus struct {
	route  string
	status int
}

type routeChildren struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// NewHTTP registers the edge's metrics in reg (or takes the ones already
// there, so several doors of one process may share a registry).
func NewHTTP(reg prometheus.Registerer) *HTTP {
	return &HTTP{
		requests: Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gone_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"route", "status"})),
		duration: Register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gone_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"})),
		shed: Register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gone_http_shed_total",
			Help: "Requests refused at once with 503 because the server was at its in-flight and queue limits.",
		})),
		routes: map[routeStatus]routeChildren{},
	}
}

// Request counts one answered request. Requests answered before routing
// (a refusal of the edge, a bad token, a non-canonical path) have the route
// "none"; the API's unknown routes and 405s match its catch-all "/"; the
// proxy's site traffic is "proxy".
func (m *HTTP) Request(route string, status int, elapsed time.Duration) {
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

// Shed counts one request refused by shedding.
func (m *HTTP) Shed() { m.shed.Inc() }

// Register adds c to reg, or returns the collector already registered
// under the same description, so several servers may share one registry.
func Register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
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
