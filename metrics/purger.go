package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Purger records the purger's progress.
type Purger struct {
	purged      prometheus.Counter
	runs        *prometheus.CounterVec
	lastSuccess prometheus.Gauge
}

// NewPurger registers the purger's metrics in reg.
func NewPurger(reg prometheus.Registerer) *Purger {
	p := &Purger{
		purged: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gone_purged_total",
			Help: "Records whose payload this instance's purger erased after their restore window passed.",
		}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gone_purge_runs_total",
			Help: "Purger passes, by result (ok or error).",
		}, []string{"result"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gone_purge_last_success_timestamp_seconds",
			Help: "When the purger last finished a pass without error (Unix seconds); alert when it falls behind.",
		}),
	}
	reg.MustRegister(p.purged, p.runs, p.lastSuccess)
	// Both results exist from the start, so rate() and alerts see zeros.
	p.runs.WithLabelValues("ok")
	p.runs.WithLabelValues("error")
	return p
}

// Observe records one pass that erased n payloads and ended with err at.
func (p *Purger) Observe(n int, err error, at time.Time) {
	p.purged.Add(float64(n))
	if err != nil {
		p.runs.WithLabelValues("error").Inc()
		return
	}
	p.runs.WithLabelValues("ok").Inc()
	p.lastSuccess.Set(float64(at.Unix()))
}
