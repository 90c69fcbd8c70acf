// Package metrics instruments gone for Prometheus without touching the
// domain or the stores: a Store decorator that times every call, a
// collector that counts the trash and the tombstones at scrape time, and
// the purger's progress. The HTTP layer's own metrics live in httpapi.
package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gonehttp/gone"
)

// Store is a gone.Store that observes how long each call takes in the
// gone_store_duration_seconds histogram.
type Store struct {
	gone.Store
	duration *prometheus.HistogramVec
}

var _ gone.Store = (*Store)(nil)

// InstrumentStore wraps s and registers its histogram in reg.
func InstrumentStore(s gone.Store, reg prometheus.Registerer) *Store {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gone_store_duration_seconds",
		Help: "Time a store call took, by operation and result (ok: the store answered, a domain refusal such as not found included; error: it failed).",
		// Reads answer 503 past 2 s (Service.ReadTimeout), so the
		// buckets are fine below that and coarse above.
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 5},
	}, []string{"op", "result"})
	reg.MustRegister(h)
	return &Store{Store: s, duration: h}
}

func (s *Store) observe(op string, start time.Time, err error) {
	s.duration.WithLabelValues(op, result(err)).Observe(time.Since(start).Seconds())
}

// result sorts an error into ok (the store answered, with a record or a
// domain refusal such as not found or conflict) and error (the store
// failed: EINTERNAL, or EUNAVAILABLE, which the stores give an outage so
// that callers answer 503; alerts on errors must still see it).
//
// Refusals are not a result of their own: a Get of a soft-deleted id finds
// a record and a Get of one that never existed finds none, and a series
// that told them apart would say which a concealing 404 hid.
func result(err error) string {
	switch gone.ErrorCode(err) {
	case gone.EINTERNAL, gone.EUNAVAILABLE:
		return "error"
	default:
		return "ok"
	}
}

// Get times Store.Get.
func (s *Store) Get(ctx context.Context, collection, id string) (*gone.Record, error) {
	start := time.Now()
	r, err := s.Store.Get(ctx, collection, id)
	s.observe("get", start, err)
	return r, err
}

// Update times Store.Update, fn included: that is how long the row locks
// are held.
func (s *Store) Update(ctx context.Context, fn func(gone.Tx) error) error {
	start := time.Now()
	err := s.Store.Update(ctx, fn)
	s.observe("update", start, err)
	return err
}

// List times Store.List.
func (s *Store) List(ctx context.Context, q gone.ListQuery) ([]*gone.Record, string, error) {
	start := time.Now()
	recs, next, err := s.Store.List(ctx, q)
	s.observe("list", start, err)
	return recs, next, err
}

// Audit times Store.Audit.
func (s *Store) Audit(ctx context.Context, q gone.AuditQuery) ([]gone.AuditEvent, error) {
	start := time.Now()
	events, err := s.Store.Audit(ctx, q)
	s.observe("audit", start, err)
	return events, err
}

// Ping times Store.Ping.
func (s *Store) Ping(ctx context.Context) error {
	start := time.Now()
	err := s.Store.Ping(ctx)
	s.observe("ping", start, err)
	return err
}
