package memory_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
	"github.com/trolly-logs/trolly/queue/queuetest"
)

var benchSizes = []int{1 << 10, 64 << 10, 1 << 20, 10 << 20}

func sizeName(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dKiB", n>>10)
}

// BenchmarkRoundTrip publishes, receives and acknowledges one message at a time.
func BenchmarkRoundTrip(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			q, err := memory.New(memory.Config{}, nil)
			require.NoError(b, err)
			defer q.Close()
			queuetest.BenchRoundTrip(b, q, size)
		})
	}
}

// BenchmarkPipeline runs one publisher against four consumers in each of groups groups,
// the shape of the events topic; bytes are counted once per published message.
func BenchmarkPipeline(b *testing.B) {
	for _, groups := range []int{1, 3} {
		for _, size := range benchSizes[:3] {
			b.Run(fmt.Sprintf("groups=%d/%s", groups, sizeName(size)), func(b *testing.B) {
				benchPipeline(b, groups, size)
			})
		}
	}
}

func benchPipeline(b *testing.B, groups, size int) {
	const consumers, keys, maxBytes = 4, 64, 64 << 20
	q, err := memory.New(memory.Config{MaxBytes: maxBytes}, nil)
	require.NoError(b, err)
	defer q.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	names := make([]string, groups)
	for i := range names {
		names[i] = fmt.Sprintf("g%d", i)
	}
	require.NoError(b, q.Declare(ctx, "t", names...))
	msgs := make([]queue.Message, keys)
	for i := range msgs {
		msgs[i] = queue.Message{Key: fmt.Sprintf("tenant-%d/stream", i), Body: make([]byte, size)}
	}

	// Each group's tokens keep the publisher within max_bytes: an ack returns one.
	tokens := make([]chan struct{}, groups)
	for i := range tokens {
		tokens[i] = make(chan struct{}, maxBytes/size)
	}
	total := int64(b.N * groups)
	var acked atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i, g := range names {
		for range consumers {
			c, err := q.Subscribe(ctx, "t", g)
			require.NoError(b, err)
			wg.Go(func() {
				consumeBench(ctx, c, tokens[i], func() {
					if acked.Add(1) == total {
						close(done)
					}
				})
			})
		}
	}
	for i := range b.N {
		for _, ch := range tokens {
			ch <- struct{}{}
		}
		if err := q.Publish(ctx, "t", msgs[i%keys]); err != nil {
			b.Fatal(err)
		}
	}
	<-done
	b.StopTimer()
	cancel()
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func consumeBench(ctx context.Context, c queue.Consumer, tokens chan struct{}, onAck func()) {
	for {
		ds, err := c.Receive(ctx, 32)
		if err != nil {
			return
		}
		for _, d := range ds {
			if d.Ack() != nil {
				return
			}
			<-tokens
			onAck()
		}
	}
}
