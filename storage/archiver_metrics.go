package storage

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

type archiverMetrics struct {
	events       *prometheus.CounterVec
	rawBytes     *prometheus.CounterVec
	storedBytes  *prometheus.CounterVec
	chunks       *prometheus.CounterVec
	rejected     *prometheus.CounterVec
	dropped      *prometheus.CounterVec
	misrouted    prometheus.Counter
	putErrors    prometheus.Counter
	buffered     prometheus.Gauge
	flushSeconds prometheus.Histogram
}

func newArchiverMetrics(reg prometheus.Registerer) *archiverMetrics {
	f := promauto.With(reg)
	return &archiverMetrics{
		events: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_archiver_events_total",
			Help: "Events written to the archive.",
		}, []string{"tenant"}),
		rawBytes: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_archiver_uncompressed_bytes_total",
			Help: "NDJSON bytes written to the archive, before compression.",
		}, []string{"tenant"}),
		storedBytes: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_archiver_compressed_bytes_total",
			Help: "Bytes of the chunks written to the archive.",
		}, []string{"tenant"}),
		chunks: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_archiver_chunks_written_total",
			Help: "Chunks written to the archive, by what flushed them (size, age, memory, drain, stop).",
		}, []string{"reason"}),
		rejected: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_archiver_rejected_total",
			Help: "Envelopes rejected to the dead letters because they can never be archived, by reason.",
		}, []string{"reason"}),
		dropped: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_archiver_dropped_total",
			Help: "Events that cannot be archived, dropped from batches otherwise archived, by reason.",
		}, []string{"reason"}),
		misrouted: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_archiver_misrouted_events_total",
			Help: "Events routed to a name that is not a stream, archived under their batch's stream.",
		}),
		putErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_archiver_put_errors_total",
			Help: "Failed attempts to write a chunk; each is retried.",
		}),
		buffered: f.NewGauge(prometheus.GaugeOpts{
			Name: "trolly_archiver_buffered_bytes",
			Help: "Uncompressed bytes of events received but not yet written.",
		}),
		flushSeconds: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "trolly_archiver_flush_duration_seconds",
			Help:    "Time to compress and write one chunk, retries included.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 9),
		}),
	}
}
