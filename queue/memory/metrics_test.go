package memory_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
)

const metricsHelp = `
# HELP trolly_queue_bytes Bytes of message bodies held until every group of the topic acknowledged them.
# TYPE trolly_queue_bytes gauge
# HELP trolly_queue_depth_messages Messages of a group not yet acknowledged, pending or in flight.
# TYPE trolly_queue_depth_messages gauge
# HELP trolly_queue_published_messages_total Messages published.
# TYPE trolly_queue_published_messages_total counter
# HELP trolly_queue_redelivered_messages_total Deliveries of a message after its first, following a nack or a consumer close.
# TYPE trolly_queue_redelivered_messages_total counter
# HELP trolly_queue_rejected_full_total Messages refused by Publish because the topic was full.
# TYPE trolly_queue_rejected_full_total counter
`

func TestMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	q := newQueue(t, memory.Config{MaxBytes: 100}, reg, "t", "a", "b")
	a := subscribe(t, q, "t", "a")
	b := subscribe(t, q, "t", "b")
	ctx := t.Context()
	require.NoError(t, q.Publish(ctx, "t", sized(10), sized(10), sized(10)))
	require.ErrorIs(t, q.Publish(ctx, "t", sized(40), sized(40)), queue.ErrFull)

	ds := receive(t, a, 3)
	require.NoError(t, ds[0].Nack(errRetry))
	require.NoError(t, ds[1].Ack())
	ds = append(ds[2:], receive(t, a, 1)...) // ds[0] again
	requireMetrics(t, reg, `
trolly_queue_bytes{topic="t"} 30
trolly_queue_depth_messages{group="a",topic="t"} 2
trolly_queue_depth_messages{group="b",topic="t"} 3
trolly_queue_published_messages_total{topic="t"} 3
trolly_queue_redelivered_messages_total{group="a",topic="t"} 1
trolly_queue_redelivered_messages_total{group="b",topic="t"} 0
trolly_queue_rejected_full_total{topic="t"} 2
`)

	ack(t, ds...)
	ack(t, receive(t, b, 2)...)
	requireMetrics(t, reg, `
trolly_queue_bytes{topic="t"} 10
trolly_queue_depth_messages{group="a",topic="t"} 0
trolly_queue_depth_messages{group="b",topic="t"} 1
trolly_queue_published_messages_total{topic="t"} 3
trolly_queue_redelivered_messages_total{group="a",topic="t"} 1
trolly_queue_redelivered_messages_total{group="b",topic="t"} 0
trolly_queue_rejected_full_total{topic="t"} 2
`)
}

// requireMetrics compares every trolly_queue metric of reg with want, HELP and TYPE lines
// aside.
func requireMetrics(t *testing.T, reg *prometheus.Registry, want string) {
	t.Helper()
	// The exposition format groups samples under their HELP line, so interleave them.
	var b strings.Builder
	for line := range strings.Lines(strings.TrimPrefix(metricsHelp, "\n")) {
		b.WriteString(line)
		if strings.HasPrefix(line, "# TYPE ") {
			name := strings.Fields(line)[2]
			for sample := range strings.Lines(want) {
				if strings.HasPrefix(sample, name+"{") {
					b.WriteString(sample)
				}
			}
		}
	}
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(b.String()),
		"trolly_queue_bytes", "trolly_queue_depth_messages", "trolly_queue_published_messages_total",
		"trolly_queue_redelivered_messages_total", "trolly_queue_rejected_full_total"))
}
