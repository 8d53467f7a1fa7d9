package nats

import (
	"errors"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/trolly-logs/trolly/queue"
)

// Reasons of trolly_queue_publish_errors_total.
const (
	reasonFull        = "full"
	reasonTooLarge    = "too_large"
	reasonUnknown     = "unknown_topic"
	reasonUnavailable = "unavailable"
)

type metrics struct {
	*queue.BrokerMetrics
	Syncs       prometheus.Histogram
	SyncWaiters prometheus.Histogram
	Trimmed     *prometheus.CounterVec // topic
}

func newMetrics(reg prometheus.Registerer, budget int64, backlog *atomic.Int64) *metrics {
	queue.RegisterBacklog(reg, "Bytes in the topics' streams, kept until every group acknowledged them, all topics together.",
		budget, func() float64 { return float64(backlog.Load()) })
	f := promauto.With(reg)
	return &metrics{
		BrokerMetrics: queue.NewBrokerMetrics(reg, "the NATS server"),
		Syncs: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "trolly_queue_nats_sync_seconds",
			Help:    "Rounds of syncs of the embedded server's files (fsync always), each shared by the publishes waiting for it.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14),
		}),
		SyncWaiters: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "trolly_queue_nats_sync_waiters",
			Help:    "Publish calls that shared a round of syncs (group commit).",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10),
		}),
		Trimmed: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_nats_trimmed_messages_total",
			Help: "Messages removed from a topic's stream once every group had acknowledged them.",
		}, []string{"topic"}),
	}
}

// publishReason names the reason of a failed Publish for trolly_queue_publish_errors_total.
func publishReason(err error) string {
	switch {
	case errors.Is(err, queue.ErrFull):
		return reasonFull
	case errors.Is(err, queue.ErrTooLarge):
		return reasonTooLarge
	case errors.Is(err, queue.ErrUnknownTopic):
		return reasonUnknown
	}
	return reasonUnavailable
}
