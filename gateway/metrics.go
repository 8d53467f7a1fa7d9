package gateway

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

type metrics struct {
	records  *prometheus.CounterVec
	bytes    *prometheus.CounterVec
	rejected *prometheus.CounterVec
	// droppedRecords counts records refused one by one, the rest of their request taken.
	droppedRecords *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	// inflightBytes is what the bodies being read and handled hold of max_inflight_bytes.
	inflightBytes   prometheus.Gauge
	inflightRefused prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		records: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_ingest_records_total",
			Help: "Records accepted (confirmed by the queue), by tenant and protocol.",
		}, []string{"tenant", "protocol"}),
		bytes: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_ingest_bytes_total",
			Help: "Decompressed bytes of accepted request bodies, by tenant and protocol.",
		}, []string{"tenant", "protocol"}),
		rejected: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_ingest_rejected_requests_total",
			Help: "Requests refused, by tenant (empty when unauthenticated), protocol and reason.",
		}, []string{"tenant", "protocol", "reason"}),
		droppedRecords: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_ingest_rejected_records_total",
			Help: "Records refused one by one while the rest of their request was taken, by tenant, protocol and reason.",
		}, []string{"tenant", "protocol", "reason"}),
		duration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "trolly_ingest_request_duration_seconds",
			Help:    "Time from request to answer, by protocol and status code.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 9),
		}, []string{"protocol", "code"}),
		inflightBytes: f.NewGauge(prometheus.GaugeOpts{
			Name: "trolly_ingest_inflight_bytes",
			Help: "Bytes of max_inflight_bytes held by the request bodies being read and handled.",
		}),
		inflightRefused: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_ingest_inflight_refused_total",
			Help: "Requests answered 503 because the bodies in flight held all of max_inflight_bytes.",
		}),
	}
}
