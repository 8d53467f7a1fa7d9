package nats_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/nats"
)

// TestTrimKeepsHeld checks that the embedded server's trim removes what every group
// acknowledged and nothing a group still holds: deliveries held across a trim come back
// when their consumer gives them back.
func TestTrimKeepsHeld(t *testing.T) {
	reg := prometheus.NewRegistry()
	q, err := nats.New(embeddedConfig(t), nats.Options{Registerer: reg})
	require.NoError(t, err)
	defer q.Close()
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer, queue.GroupArchiver))
	msgs := stored(10)
	require.NoError(t, q.Publish(ctx, queue.TopicEvents, msgs...))

	archiver, err := q.Subscribe(ctx, queue.TopicEvents, queue.GroupArchiver)
	require.NoError(t, err)
	receiveAck(t, archiver, 10)
	indexer, err := q.Subscribe(ctx, queue.TopicEvents, queue.GroupIndexer)
	require.NoError(t, err)
	var held []*queue.Delivery
	for len(held) < 10 {
		ds, err := indexer.Receive(ctx, 10-len(held))
		require.NoError(t, err)
		held = append(held, ds...)
	}
	for _, d := range held[:5] {
		require.NoError(t, d.Ack())
	}
	trimmed := func() float64 {
		return testutil.ToFloat64(mustCounter(t, reg, "trolly_queue_nats_trimmed_messages_total"))
	}
	for deadline := time.Now().Add(waitFor); trimmed() < 5; time.Sleep(50 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "the five acknowledged by both groups are trimmed")
	}
	time.Sleep(2 * time.Second) // more trims, which must spare the five held
	require.Equal(t, float64(5), trimmed())

	require.NoError(t, indexer.Close()) // gives back the five it holds
	again, err := q.Subscribe(ctx, queue.TopicEvents, queue.GroupIndexer)
	require.NoError(t, err)
	require.ElementsMatch(t, messageBodies(msgs[5:]), bodies(receiveAck(t, again, 5)))
	for deadline := time.Now().Add(waitFor); trimmed() < 10; time.Sleep(50 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "all ten trimmed once acknowledged")
	}
}

// mustCounter returns the counter name of topic "events" in reg.
func mustCounter(t *testing.T, reg *prometheus.Registry, name string) prometheus.Collector {
	t.Helper()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name})
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() == "topic" && l.GetValue() == queue.TopicEvents {
						c.Add(m.GetCounter().GetValue())
					}
				}
			}
		}
	}
	return c
}
