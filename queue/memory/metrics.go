package memory

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/trolly-logs/trolly/queue"
)

type metrics struct {
	depth        *prometheus.GaugeVec
	bytes        *prometheus.GaugeVec
	published    *prometheus.CounterVec
	redelivered  *prometheus.CounterVec
	rejectedFull *prometheus.CounterVec
	deadLetters  *prometheus.CounterVec
	deadDropped  prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, budget int64, backlog *atomic.Int64) *metrics {
	f := promauto.With(reg)
	queue.RegisterBacklog(reg, "Bytes of message bodies held until every group acknowledged them, all topics together.",
		budget, func() float64 { return float64(backlog.Load()) })
	return &metrics{
		depth: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trolly_queue_depth_messages",
			Help: "Messages of a group not yet acknowledged, pending or in flight.",
		}, []string{"topic", "group"}),
		bytes: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trolly_queue_bytes",
			Help: "Bytes of message bodies held until every group of the topic acknowledged them.",
		}, []string{"topic"}),
		published: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_published_messages_total",
			Help: "Messages published.",
		}, []string{"topic"}),
		redelivered: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_redelivered_messages_total",
			Help: "Deliveries of a message after its first, following a nack or a consumer close.",
		}, []string{"topic", "group"}),
		rejectedFull: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_rejected_full_total",
			Help: "Messages refused by Publish because the topic was full.",
		}, []string{"topic"}),
		deadLetters: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_dead_letters_total",
			Help: "Deliveries rejected into the dead letters.",
		}, []string{"topic", "group"}),
		deadDropped: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_queue_dead_letters_dropped_total",
			Help: "Dead letters dropped, oldest first, because more than max_dead_letters were kept.",
		}),
	}
}
