package search

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Reasons for dropping input, the values of the reason label.
const (
	reasonUndecodable   = "undecodable"
	reasonUnknownTenant = "unknown_tenant"
	reasonInvalidEvent  = "invalid_event"
)

type indexerMetrics struct {
	indexed     *prometheus.CounterVec
	dropped     *prometheus.CounterVec
	writeErrors prometheus.Counter
}

func newIndexerMetrics(reg prometheus.Registerer) *indexerMetrics {
	f := promauto.With(reg)
	m := &indexerMetrics{
		indexed: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_indexer_events_total",
			Help: "Events handed to the search backend, by tenant (redeliveries included).",
		}, []string{"tenant"}),
		// No tenant label: an undecodable envelope or an unknown tenant has none to trust.
		dropped: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_indexer_dropped_total",
			Help: "Deliveries (undecodable, unknown_tenant) and events (invalid_event) that cannot be indexed, by reason.",
		}, []string{"reason"}),
		writeErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_indexer_write_errors_total",
			Help: "Failed writes to the search backend; their deliveries are redelivered.",
		}),
	}
	for _, r := range []string{reasonUndecodable, reasonUnknownTenant, reasonInvalidEvent} {
		m.dropped.WithLabelValues(r)
	}
	return m
}
