package sqlite

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// The names are shared by every search backend; the backend label tells them apart.
type metrics struct {
	written     *prometheus.CounterVec
	duplicates  *prometheus.CounterVec
	writeTime   prometheus.Histogram
	searchTime  prometheus.Histogram
	openIndices prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	backend := prometheus.Labels{"backend": "sqlite"}
	return &metrics{
		written: f.NewCounterVec(prometheus.CounterOpts{
			Name:        "trolly_search_docs_written_total",
			Help:        "Documents written to search indices, by tenant.",
			ConstLabels: backend,
		}, []string{"tenant"}),
		duplicates: f.NewCounterVec(prometheus.CounterOpts{
			Name:        "trolly_search_docs_duplicate_total",
			Help:        "Documents skipped because their index already held their id, by tenant.",
			ConstLabels: backend,
		}, []string{"tenant"}),
		writeTime: f.NewHistogram(prometheus.HistogramOpts{
			Name:        "trolly_search_write_duration_seconds",
			Help:        "Time to write one batch of documents to one index, until durable.",
			ConstLabels: backend,
			Buckets:     prometheus.ExponentialBuckets(0.001, 2, 15),
		}),
		searchTime: f.NewHistogram(prometheus.HistogramOpts{
			Name:        "trolly_search_search_duration_seconds",
			Help:        "Time to answer one search over every index it reads.",
			ConstLabels: backend,
			Buckets:     prometheus.ExponentialBuckets(0.001, 2, 15),
		}),
		openIndices: f.NewGauge(prometheus.GaugeOpts{
			Name:        "trolly_search_open_indices",
			Help:        "Index files held open.",
			ConstLabels: backend,
		}),
	}
}
