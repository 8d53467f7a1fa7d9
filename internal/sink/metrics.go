package sink

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

type metrics struct {
	failures    *prometheus.CounterVec
	deadLetters *prometheus.CounterVec
	held        prometheus.Gauge
}

// newMetrics labels every metric with the sink's name, so that each sink of a process
// registers its own.
func newMetrics(name string, reg prometheus.Registerer, t *Tracker) *metrics {
	f := promauto.With(reg)
	sink := prometheus.Labels{"sink": name}
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "trolly_sink_ready",
		Help:        "1 unless every write of the sink has failed for longer than its unready_after.",
		ConstLabels: sink,
	}, func() float64 {
		if t.Ready() != nil {
			return 0
		}
		return 1
	})
	return &metrics{
		failures: f.NewCounterVec(prometheus.CounterOpts{
			Name:        "trolly_sink_write_failures_total",
			Help:        "Failed writes of a tenant's batch by a sink; each is retried with backoff, the other tenants going on.",
			ConstLabels: sink,
		}, []string{"tenant"}),
		deadLetters: f.NewCounterVec(prometheus.CounterOpts{
			Name:        "trolly_sink_dead_lettered_total",
			Help:        "Batches a sink gave up on after dead_letter_attempts or dead_letter_age, moved to the dead letters.",
			ConstLabels: sink,
		}, []string{"tenant"}),
		held: f.NewGauge(prometheus.GaugeOpts{
			Name:        "trolly_sink_failing_tenants",
			Help:        "Tenants whose last write by the sink failed: their batches are held and retried.",
			ConstLabels: sink,
		}),
	}
}
