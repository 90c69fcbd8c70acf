package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gonehttp/gone"
)

// Counts is a prometheus.Collector that counts each configured
// collection's trash, its retired ids and the lapsed trash the purger has
// yet to erase, by reading the store when Prometheus scrapes. Counting at
// scrape time keeps the numbers right across several instances, which
// gauges kept by one process could not.
//
// A collection that conceals its retired ids (disclosure conceal) is left
// out: its counts would move when one of its ids is soft-deleted, retired
// or purged, and so date and tell apart what its 404 conceals.
//
// It pages through List, so a scrape costs a read of the trash and the
// tombstones: fine for thousands, worth a longer scrape interval for
// millions.
type Counts struct {
	store   gone.Store
	cfg     *gone.Config
	now     func() time.Time
	timeout time.Duration

	trash, tombstones, backlog *prometheus.Desc
}

// NewCounts returns the collector; register it with reg.MustRegister.
func NewCounts(store gone.Store, cfg *gone.Config, now func() time.Time) *Counts {
	return &Counts{
		store: store, cfg: cfg, now: now, timeout: 10 * time.Second,
		trash: prometheus.NewDesc("gone_trash_records",
			"Soft-deleted records still in their restore window, by collection (concealing collections left out).", []string{"collection"}, nil),
		tombstones: prometheus.NewDesc("gone_tombstones",
			"Retired ids (deleted for good, lapsed trash, expired), by collection (concealing collections left out).", []string{"collection"}, nil),
		backlog: prometheus.NewDesc("gone_purge_backlog",
			"Lapsed trash whose payload the purger has not erased yet, by collection (concealing collections left out).", []string{"collection"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Counts) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.trash
	ch <- c.tombstones
	ch <- c.backlog
}

// Collect implements prometheus.Collector. A collection whose count fails
// reports the error for its series and the others go on.
func (c *Counts) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	now := c.now()
	for _, name := range c.cfg.Names() {
		if p, _ := c.cfg.Policy(name); p.Disclosure == gone.DiscloseConceal {
			continue
		}
		trash, err := c.count(ctx, gone.ListQuery{Collection: name, State: gone.StateDeleted, Now: now}, nil)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.trash, err)
		} else {
			ch <- prometheus.MustNewConstMetric(c.trash, prometheus.GaugeValue, float64(trash), name)
		}
		backlog := 0
		retired, err := c.count(ctx, gone.ListQuery{Collection: name, State: gone.StateGone, Now: now}, func(r *gone.Record) {
			// Lapsed trash, as Service.Purge sees it; expired records
			// keep their payload by design.
			if r.Data != nil && !r.RestorableUntil.IsZero() {
				backlog++
			}
		})
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.tombstones, err)
			ch <- prometheus.NewInvalidMetric(c.backlog, err)
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.tombstones, prometheus.GaugeValue, float64(retired), name)
		ch <- prometheus.MustNewConstMetric(c.backlog, prometheus.GaugeValue, float64(backlog), name)
	}
}

// count pages through q, calling each (when not nil) on every record.
func (c *Counts) count(ctx context.Context, q gone.ListQuery, each func(*gone.Record)) (int, error) {
	q.Limit = 500
	n := 0
	for {
		recs, next, err := c.store.List(ctx, q)
		if err != nil {
			return n, err
		}
		n += len(recs)
		if each != nil {
			for _, r := range recs {
				each(r)
			}
		}
		if next == "" {
			return n, nil
		}
		q.After = next
	}
}
