package nats_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/nats"
	"github.com/trolly-logs/trolly/queue/queuetest"
)

const benchBody = 64 << 10

// benchConfigs are the servers benchmarked: embedded with each fsync setting, and the
// shared server (whose own configuration decides its syncs).
var benchConfigs = []struct {
	name   string
	config func(testing.TB) nats.Config
}{
	{"embedded/fsync=always", embeddedConfig},
	{"embedded/fsync=interval", func(t testing.TB) nats.Config {
		cfg := embeddedConfig(t)
		cfg.Fsync = nats.FsyncInterval
		return cfg
	}},
	{"server", serverConfig},
}

// BenchmarkRoundTrip publishes a 64 KiB raw batch, receives it and acknowledges it, one
// at a time: the latency-bound path of one tenant stream.
func BenchmarkRoundTrip(b *testing.B) {
	for _, bc := range benchConfigs {
		b.Run(bc.name, func(b *testing.B) {
			queuetest.BenchRoundTrip(b, open(b, bc.config(b)), benchBody)
		})
	}
}

// BenchmarkPipeline has eight publishers, one message per call as the gateway does, over
// eight keys, and one consumer that receives in batches: the throughput-bound path, in
// which concurrent publishes share the server's syncs.
func BenchmarkPipeline(b *testing.B) {
	const publishers = 8
	for _, bc := range benchConfigs {
		b.Run(bc.name, func(b *testing.B) {
			q := open(b, bc.config(b))
			ctx := context.Background()
			require.NoError(b, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
			c, err := q.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
			require.NoError(b, err)
			defer c.Close()
			keys := []string{"t0/s", "t1/s", "t2/s", "t3/s", "t4/s", "t5/s", "t6/s", "t7/s"}

			queuetest.BenchPipeline(b, q, c, keys, benchBody)
		})
	}
}
