package kafka

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/corpustest"
	"github.com/trolly-logs/trolly/queue"
)

// BenchmarkRoundTrip publishes 64 KiB bodies of real log lines (they compress as the
// data path's do), receives and acknowledges them on an
// in-process kfake cluster, batch messages per Publish call: the cost of the client, the
// tracking and the Kafka protocol, without a disk or a network.
func BenchmarkRoundTrip(b *testing.B) {
	const size = 64 << 10
	for _, batch := range []int{1, 16} {
		b.Run(fmt.Sprintf("64KiB/batch=%d", batch), func(b *testing.B) {
			cfg := testConfig(newCluster(b))
			cfg.MaxLagBytes = 1 << 30
			q := newQueue(b, cfg)
			ctx := context.Background()
			require.NoError(b, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
			c := subscribe(b, q, queue.TopicRaw, queue.GroupProcessor)
			logs := corpus(b, size*batch)
			msgs := make([]queue.Message, batch)
			for i := range msgs {
				msgs[i] = queue.Message{Key: fmt.Sprintf("tenant/stream-%d", i), Body: logs[i*size : (i+1)*size]}
			}

			b.ReportAllocs()
			b.SetBytes(int64(size * batch))
			n := 0
			for b.Loop() {
				if err := q.Publish(ctx, queue.TopicRaw, msgs...); err != nil {
					b.Fatal(err)
				}
				for got := 0; got < batch; {
					ds, err := c.Receive(ctx, batch-got)
					if err != nil {
						b.Fatal(err)
					}
					for _, d := range ds {
						if err := d.Ack(); err != nil {
							b.Fatal(err)
						}
					}
					got += len(ds)
				}
				n += batch
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// corpus returns n bytes of the public sshd log sample, repeated as needed, or of a
// generated log when the samples are not beside the repository.
func corpus(b *testing.B, n int) []byte {
	data := corpustest.ReadFileOrNil(b, "openssh_2k.log")
	if data == nil {
		b.Logf("public log samples not found (set CORPUS_DIR), using generated lines")
		for i := 0; len(data) < n; i++ {
			data = fmt.Appendf(data, "Dec 10 06:55:%02d host sshd[%d]: Failed password for root from 10.0.%d.%d port %d ssh2\n",
				i%60, 24000+i%977, i%256, (i*7)%256, 40000+i%20000)
		}
	}
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, data[:min(len(data), n-len(out))]...)
	}
	return out
}
