package nats

import (
	"errors"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

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
}

func newMetrics(reg prometheus.Registerer, budget int64, backlog *atomic.Int64) *metrics {
	queue.RegisterBacklog(reg, "Bytes in the topics' streams, kept until every group acknowledged them, all topics together.",
		budget, func() float64 { return float64(backlog.Load()) })
	return &metrics{BrokerMetrics: queue.NewBrokerMetrics(reg, "the NATS server")}
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
