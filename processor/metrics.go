package processor

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

type metrics struct {
	events            *prometheus.CounterVec
	parseFailures     *prometheus.CounterVec
	timestampFailures *prometheus.CounterVec
	clamped           *prometheus.CounterVec
	joined            *prometheus.CounterVec
	dropped           *prometheus.CounterVec
	poison            *prometheus.CounterVec
	publishRetries    prometheus.Counter
	publishErrors     prometheus.Counter
	directoryErrors   prometheus.Counter
	batchDuration     prometheus.Histogram
}

// newMetrics registers on reg; a nil reg registers nothing.
func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	labels := []string{"tenant", "source_type"}
	m := &metrics{
		events: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_processor_events_total",
			Help: "Events made from raw records, by tenant and source type.",
		}, labels),
		parseFailures: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_processor_parse_failures_total",
			Help: "Events kept with the _parse_failure tag, by tenant and source type.",
		}, labels),
		timestampFailures: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_processor_timestamp_failures_total",
			Help: "Events whose time could not be read and took received_at, by tenant and source type.",
		}, labels),
		clamped: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_processor_timestamps_clamped_total",
			Help: "Events whose time lay too far from their receipt and took the receipt time, by tenant and source type.",
		}, labels),
		joined: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_processor_joined_records_total",
			Help: "Records joined to the one before them (multiline events, partial lines), by tenant and source type.",
		}, labels),
		dropped: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_processor_dropped_events_total",
			Help: "Events a stream's pipeline dropped, by tenant and source type.",
		}, labels),
		// No tenant label: an undecodable envelope has none to trust.
		poison: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_processor_poison_batches_total",
			Help: "Raw batches rejected to the dead letters because they cannot be processed, by reason.",
		}, []string{"reason"}),
		publishRetries: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_processor_publish_retries_total",
			Help: "Publish attempts of event batches that found the events topic full.",
		}),
		publishErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_processor_publish_errors_total",
			Help: "Publish attempts of event batches that failed otherwise; each is retried while the raw batch is held.",
		}),
		directoryErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_processor_directory_errors_total",
			Help: "Look-ups of stream settings the tenant directory could not answer; each is retried while the raw batch is held.",
		}),
		batchDuration: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "trolly_processor_batch_duration_seconds",
			Help:    "Time to decode, process and encode one raw batch.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 9), // 100µs to 6.5s
		}),
	}
	for _, r := range []string{reasonUndecodable, reasonUnknownSourceType, reasonInvalidBatch, reasonUnencodable, reasonMaxAttempts, reasonInvalidSettings} {
		m.poison.WithLabelValues(r)
	}
	return m
}
