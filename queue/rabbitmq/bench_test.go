package rabbitmq_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/queuetest"
	"github.com/trolly-logs/trolly/queue/rabbitmq"
)

const benchBody = 64 << 10

// BenchmarkRoundTrip publishes a 64 KiB raw batch, receives it and acknowledges it, one
// at a time: the latency-bound path of one tenant stream.
func BenchmarkRoundTrip(b *testing.B) {
	for _, queueType := range []string{rabbitmq.QueueClassic, rabbitmq.QueueQuorum} {
		b.Run(queueType, func(b *testing.B) {
			q := open(b, testConfig(b, queueType), rabbitmq.Options{})
			queuetest.BenchRoundTrip(b, q, benchBody)
		})
	}
}

// BenchmarkPipeline has eight publishers, one message per call as the gateway does, over
// eight keys, and one consumer that receives in batches: the throughput-bound path.
func BenchmarkPipeline(b *testing.B) {
	const publishers = 8
	for _, queueType := range []string{rabbitmq.QueueClassic, rabbitmq.QueueQuorum} {
		b.Run(queueType, func(b *testing.B) {
			q := open(b, testConfig(b, queueType), rabbitmq.Options{})
			ctx := context.Background()
			require.NoError(b, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
			c := subscribe(b, q, queue.TopicRaw, queue.GroupProcessor)
			keys := []string{"t0/s", "t1/s", "t2/s", "t3/s", "t4/s", "t5/s", "t6/s", "t7/s"}
			for _, k := range keys { // declare the key queues outside the timing
				require.NoError(b, q.Publish(ctx, queue.TopicRaw, queue.Message{Key: k}))
			}
			receiveAck(b, c, len(keys))

			queuetest.BenchPipeline(b, q, c, keys, benchBody)
		})
	}
}
