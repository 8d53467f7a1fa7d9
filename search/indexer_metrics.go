package search

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Reasons for rejecting deliveries and dropping events, the values of the reason labels.
const (
	reasonUndecodable   = "undecodable"
	reasonUnknownTenant = "unknown_tenant"
	reasonInvalidEvent  = "invalid_event"
)

type indexerMetrics struct {
	indexed     *prometheus.CounterVec
	rejected    *prometheus.CounterVec
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
		rejected: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_indexer_rejected_total",
			Help: "Deliveries rejected to the dead letters because they can never be indexed, by reason.",
		}, []string{"reason"}),
		dropped: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_indexer_dropped_total",
			Help: "Events that cannot be indexed, dropped from batches otherwise indexed, by reason.",
		}, []string{"reason"}),
		writeErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_indexer_write_errors_total",
			Help: "Failed writes to the search backend; each is retried while its deliveries are held.",
		}),
	}
	for _, r := range []string{reasonUndecodable, reasonUnknownTenant} {
		m.rejected.WithLabelValues(r)
	}
	m.dropped.WithLabelValues(reasonInvalidEvent)
	return m
}
