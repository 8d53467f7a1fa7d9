package nats_test

import (
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/nats"
)

// TestMetrics checks the counters of a publish refused as full, and of deliveries,
// redeliveries and dead letters.
func TestMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	cfg := embeddedConfig(t)
	cfg.MaxBytes = 16 << 10
	q, err := nats.New(cfg, nats.Options{Registerer: reg})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))

	require.NoError(t, q.Publish(ctx, queue.TopicRaw, queue.Message{Key: "a/b", Body: []byte("x")}))
	big := queue.Message{Key: "a/b", Body: noise(10 << 10)}
	require.ErrorIs(t, q.Publish(ctx, queue.TopicRaw, big, big), queue.ErrFull)
	c, err := q.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	require.NoError(t, err)
	var ds []*queue.Delivery
	for len(ds) < 2 {
		got, err := c.Receive(ctx, 2-len(ds))
		require.NoError(t, err)
		ds = append(ds, got...)
	}
	require.NoError(t, ds[0].Nack(errors.New("later")))
	require.NoError(t, ds[1].Ack())
	again, err := c.Receive(ctx, 1)
	require.NoError(t, err)
	require.NoError(t, again[0].Reject(errors.New("never")))

	for _, tc := range []struct {
		metric, label, value string
		want                 float64
	}{
		{"trolly_queue_published_messages_total", "topic", "raw", 1}, // the refused call is not counted
		{"trolly_queue_publish_errors_total", "reason", "full", 1},
		{"trolly_queue_deliveries_total", "group", "processor", 3},
		{"trolly_queue_redelivered_messages_total", "group", "processor", 1},
		{"trolly_queue_dead_letters_total", "group", "processor", 1},
		{"trolly_queue_connected", "", "", 1},
		{"trolly_queue_backlog_budget_bytes", "", "", float64(nats.DefaultMaxBacklogBytes)},
	} {
		t.Run(tc.metric, func(t *testing.T) {
			require.InDelta(t, tc.want, gathered(t, reg, tc.metric, tc.label, tc.value), 0)
		})
	}
}

// gathered returns the value of the series of metric whose label is value (any series
// when label is empty).
func gathered(t *testing.T, reg *prometheus.Registry, metric, label, value string) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != metric {
			continue
		}
		for _, m := range f.GetMetric() {
			if label == "" || hasLabel(m.GetLabel(), label, value) {
				return m.GetCounter().GetValue() + m.GetGauge().GetValue()
			}
		}
	}
	require.FailNow(t, "no series", "%s{%s=%q}", metric, label, value)
	return 0
}

func hasLabel(labels []*dto.LabelPair, name, value string) bool {
	for _, l := range labels {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}
