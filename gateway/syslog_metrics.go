package gateway

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// syslogMetrics are what the syslog listeners count beside the ingest metrics (records,
// bytes, and rejected for a message that closed its connection).
type syslogMetrics struct {
	dropped     *prometheus.CounterVec
	paused      *prometheus.CounterVec
	connections *prometheus.GaugeVec
}

func newSyslogMetrics(reg prometheus.Registerer) *syslogMetrics {
	f := promauto.With(reg)
	return &syslogMetrics{
		dropped: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_ingest_dropped_total",
			Help: "Syslog messages read and not published, whose sender cannot be told, by tenant (empty when unauthenticated), protocol and reason (unknown_stream; bad_octet_count and nul_in_message for malformed TCP frames).",
		}, []string{"tenant", "protocol", "reason"}),
		paused: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_ingest_paused_seconds_total",
			Help: "Time syslog connections were not read, by tenant, protocol and reason (rate_limited, unavailable, backlog_full, tenant_backlog_full).",
		}, []string{"tenant", "protocol", "reason"}),
		connections: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trolly_ingest_connections",
			Help: "Open syslog connections, by protocol.",
		}, []string{"protocol"}),
	}
}
