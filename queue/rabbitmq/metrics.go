package rabbitmq

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Reasons of trolly_queue_publish_errors_total.
const (
	reasonFull        = "full"
	reasonUnavailable = "unavailable"
	reasonTooLarge    = "too_large"
	reasonUnroutable  = "unroutable"
)

type metrics struct {
	published     *prometheus.CounterVec
	publishErrors *prometheus.CounterVec
	confirm       *prometheus.HistogramVec
	deliveries    *prometheus.CounterVec
	redelivered   *prometheus.CounterVec
	deadLetters   *prometheus.CounterVec
	keys          *prometheus.GaugeVec
	reconnects    prometheus.Counter
	connected     prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		published: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_published_messages_total",
			Help: "Messages published and confirmed by the broker.",
		}, []string{"topic"}),
		publishErrors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_publish_errors_total",
			Help: "Publish calls that failed, by reason: full, unavailable, too_large, unroutable.",
		}, []string{"topic", "reason"}),
		confirm: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "trolly_queue_confirm_seconds",
			Help:    "Time from the first message of a Publish call to the broker's last confirm.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"topic"}),
		deliveries: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_deliveries_total",
			Help: "Deliveries returned by Receive.",
		}, []string{"topic", "group"}),
		redelivered: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_redelivered_messages_total",
			Help: "Deliveries of a message after its first, following a nack or a lost consumer.",
		}, []string{"topic", "group"}),
		deadLetters: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_dead_letters_total",
			Help: "Deliveries rejected into the dead letters.",
		}, []string{"topic", "group"}),
		keys: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trolly_queue_keys",
			Help: "Keys of a keyed topic known to this process, each with a queue per group.",
		}, []string{"topic"}),
		reconnects: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_queue_reconnects_total",
			Help: "Connections to the broker opened again after one was lost.",
		}),
		connected: f.NewGauge(prometheus.GaugeOpts{
			Name: "trolly_queue_connected",
			Help: "1 while the connection to the broker is up, 0 while it is being restored.",
		}),
	}
}
