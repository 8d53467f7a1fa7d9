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
	published     *prometheus.CounterVec
	publishErrors *prometheus.CounterVec
	confirm       *prometheus.HistogramVec
	deliveries    *prometheus.CounterVec
	redelivered   *prometheus.CounterVec
	deadLetters   *prometheus.CounterVec
	reconnects    prometheus.Counter
	connected     prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer, budget int64, backlog *atomic.Int64) *metrics {
	f := promauto.With(reg)
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "trolly_queue_backlog_bytes",
		Help: "Bytes in the topics' streams, kept until every group acknowledged them, all topics together.",
	}, func() float64 { return float64(backlog.Load()) })
	f.NewGauge(prometheus.GaugeOpts{
		Name: "trolly_queue_backlog_budget_bytes",
		Help: "max_backlog_bytes: past it the gateway refuses input with 503.",
	}).Set(float64(budget))
	return &metrics{
		published: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_published_messages_total",
			Help: "Messages published and acknowledged by the server.",
		}, []string{"topic"}),
		publishErrors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_publish_errors_total",
			Help: "Publish calls that failed, by reason: full, too_large, unknown_topic, unavailable.",
		}, []string{"topic", "reason"}),
		confirm: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "trolly_queue_confirm_seconds",
			Help:    "Time from the first message of a Publish call to the server's last acknowledgement.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"topic"}),
		deliveries: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_deliveries_total",
			Help: "Deliveries returned by Receive.",
		}, []string{"topic", "group"}),
		redelivered: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_redelivered_messages_total",
			Help: "Deliveries of a message after its first, following a nack, a closed consumer or ack_wait.",
		}, []string{"topic", "group"}),
		deadLetters: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_dead_letters_total",
			Help: "Deliveries rejected into the dead letters.",
		}, []string{"topic", "group"}),
		reconnects: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_queue_reconnects_total",
			Help: "Connections to the NATS server opened again after one was lost.",
		}),
		connected: f.NewGauge(prometheus.GaugeOpts{
			Name: "trolly_queue_connected",
			Help: "1 while the connection to the NATS server is up, 0 while it is being restored.",
		}),
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
