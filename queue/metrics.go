package queue

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// BrokerMetrics are what every backend that talks to a server counts, under the same
// names whichever the server, so that dashboards and alerts do not depend on the backend.
type BrokerMetrics struct {
	Published     *prometheus.CounterVec   // topic
	PublishErrors *prometheus.CounterVec   // topic, reason
	Confirm       *prometheus.HistogramVec // topic
	Deliveries    *prometheus.CounterVec   // topic, group
	Redelivered   *prometheus.CounterVec   // topic, group
	DeadLetters   *prometheus.CounterVec   // topic, group
	Reconnects    prometheus.Counter
	Connected     prometheus.Gauge
}

// NewBrokerMetrics registers the BrokerMetrics of a backend whose server people call
// server ("the broker", "the NATS server") in reg; a nil reg registers nothing.
func NewBrokerMetrics(reg prometheus.Registerer, server string) *BrokerMetrics {
	f := promauto.With(reg)
	return &BrokerMetrics{
		Published: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_published_messages_total",
			Help: "Messages published and confirmed by " + server + ".",
		}, []string{"topic"}),
		PublishErrors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_publish_errors_total",
			Help: "Publish calls that failed, by reason (full, too_large, unavailable, and the backend's own).",
		}, []string{"topic", "reason"}),
		Confirm: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "trolly_queue_confirm_seconds",
			Help:    "Time from the first message of a Publish call to the last confirm of " + server + ".",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"topic"}),
		Deliveries: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_deliveries_total",
			Help: "Deliveries returned by Receive.",
		}, []string{"topic", "group"}),
		Redelivered: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_redelivered_messages_total",
			Help: "Deliveries of a message after its first, following a nack or a lost consumer.",
		}, []string{"topic", "group"}),
		DeadLetters: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_queue_dead_letters_total",
			Help: "Deliveries rejected into the dead letters.",
		}, []string{"topic", "group"}),
		Reconnects: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_queue_reconnects_total",
			Help: "Connections to " + server + " opened again after one was lost.",
		}),
		Connected: f.NewGauge(prometheus.GaugeOpts{
			Name: "trolly_queue_connected",
			Help: "1 while the connection to " + server + " is up, 0 while it is being restored.",
		}),
	}
}

// RegisterBacklog registers the backlog a Backlogger reports, read by bytes at each
// scrape, and its budget, in reg.
func RegisterBacklog(reg prometheus.Registerer, help string, budget int64, bytes func() float64) {
	f := promauto.With(reg)
	f.NewGaugeFunc(prometheus.GaugeOpts{Name: "trolly_queue_backlog_bytes", Help: help}, bytes)
	f.NewGauge(prometheus.GaugeOpts{
		Name: "trolly_queue_backlog_budget_bytes",
		Help: "max_backlog_bytes: past it the gateway refuses input with 503.",
	}).Set(float64(budget))
}

// RegisterTenantBacklog registers the tenants' shares of the backlog, a copy of which
// tenants returns at each scrape (only the tenants that have one, so the series follow the
// tenants that ship), and the budget of each, in reg.
func RegisterTenantBacklog(reg prometheus.Registerer, budget int64, tenants func() map[string]int64) {
	if reg == nil {
		return
	}
	reg.MustRegister(&tenantBacklog{tenants: tenants, desc: prometheus.NewDesc("trolly_queue_tenant_backlog_bytes",
		"Bytes of a tenant's messages that some group has not acknowledged yet, all topics together.", []string{"tenant"}, nil)})
	promauto.With(reg).NewGauge(prometheus.GaugeOpts{
		Name: "trolly_queue_tenant_backlog_budget_bytes",
		Help: "max_tenant_backlog_bytes: past it the gateway refuses the tenant's input with 429.",
	}).Set(float64(budget))
}

type tenantBacklog struct {
	tenants func() map[string]int64
	desc    *prometheus.Desc
}

func (c *tenantBacklog) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *tenantBacklog) Collect(ch chan<- prometheus.Metric) {
	for tenant, n := range c.tenants() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), tenant)
	}
}
