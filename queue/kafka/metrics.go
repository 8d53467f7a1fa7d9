package kafka

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// metrics share their names with queue/memory where they mean the same, so that one
// dashboard serves either backend.
type metrics struct {
	published     *prometheus.CounterVec
	publishedSize *prometheus.CounterVec
	produceErrors *prometheus.CounterVec
	refusedFull   *prometheus.CounterVec
	lagRecords    *prometheus.GaugeVec
	lagBytes      *prometheus.GaugeVec
	deliveries    *prometheus.CounterVec
	redelivered   *prometheus.CounterVec
	deadLetters   *prometheus.CounterVec
	commits       *prometheus.CounterVec
	commitErrors  *prometheus.CounterVec
	rebalances    *prometheus.CounterVec
	staleSettles  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return f.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	}
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		return f.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	}
	return &metrics{
		published: counter("trolly_queue_published_messages_total",
			"Messages published.", "topic"),
		publishedSize: counter("trolly_queue_published_bytes_total",
			"Bytes of message bodies published.", "topic"),
		produceErrors: counter("trolly_queue_kafka_produce_errors_total",
			"Publish calls that failed after passing admission (broker or network errors).", "topic"),
		refusedFull: counter("trolly_queue_rejected_full_total",
			"Messages refused by Publish because the topic was full.", "topic"),
		lagRecords: gauge("trolly_queue_kafka_lag_records",
			"Records of the topic not yet committed by the group, at the last lag refresh.", "topic", "group"),
		lagBytes: gauge("trolly_queue_kafka_lag_bytes",
			"Estimated bytes of message bodies not yet committed by the group, at the last lag refresh.", "topic", "group"),
		deliveries: counter("trolly_queue_delivered_messages_total",
			"Deliveries returned by Receive, redeliveries included.", "topic", "group"),
		redelivered: counter("trolly_queue_redelivered_messages_total",
			"Deliveries of a message after its first, following a nack, a close or a rebalance.", "topic", "group"),
		deadLetters: counter("trolly_queue_dead_letters_total",
			"Deliveries rejected into the dead letters.", "topic", "group"),
		commits: counter("trolly_queue_kafka_commits_total",
			"Offset commits that succeeded.", "topic", "group"),
		commitErrors: counter("trolly_queue_kafka_commit_errors_total",
			"Offset commits that failed; the next one retries them.", "topic", "group"),
		rebalances: counter("trolly_queue_kafka_rebalances_total",
			"Partitions taken from a consumer: revoked by a rebalance, or lost with its membership.", "topic", "group", "kind"),
		staleSettles: counter("trolly_queue_kafka_stale_settles_total",
			"Acks, nacks and rejects of deliveries whose partition was revoked first; their records come again to the new owner.",
			"topic", "group"),
	}
}
