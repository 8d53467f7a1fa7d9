package rabbitmq

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/trolly-logs/trolly/queue"
)

// Reasons of trolly_queue_publish_errors_total.
const (
	reasonFull        = "full"
	reasonUnavailable = "unavailable"
	reasonTooLarge    = "too_large"
	reasonUnroutable  = "unroutable"
)

type metrics struct {
	*queue.BrokerMetrics
	keys *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	return &metrics{
		BrokerMetrics: queue.NewBrokerMetrics(reg, "the broker"),
		keys: promauto.With(reg).NewGaugeVec(prometheus.GaugeOpts{
			Name: "trolly_queue_keys",
			Help: "Keys of a keyed topic known to this process, each with a queue per group.",
		}, []string{"topic"}),
	}
}
