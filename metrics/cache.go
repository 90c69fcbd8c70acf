package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gonehttp/gone/readcache"
)

// RegisterCache registers the read cache's counters in reg.
//
// What the cache holds in bytes is not one of them: a soft-deleted record
// costs its payload and an id that never existed costs nothing, so the
// gauge would move by the size of what a concealing 404 hides. Its bound
// is --cache-mib.
func RegisterCache(reg prometheus.Registerer, c *readcache.Store) {
	st := c.Stats()
	counter := func(name, help string, v interface{ Load() int64 }) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(v.Load()) })
	}
	reg.MustRegister(
		counter("gone_cache_hits_total", "Reads of one id answered from the read cache.", &st.Hits),
		counter("gone_cache_misses_total", "Reads of one id that went to the store and filled the cache.", &st.Misses),
		counter("gone_cache_bypasses_total", "Reads that went to the store because the cache was not trusted (its change feed was not following).", &st.Bypasses),
		counter("gone_cache_resets_total", "Times the whole cache was dropped (feed lost or regained, a change from another process).", &st.Resets),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gone_cache_entries", Help: "Ids in the read cache."}, func() float64 { return float64(c.Len()) }),
	)
}
