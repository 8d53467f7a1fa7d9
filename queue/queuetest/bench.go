package queuetest

import (
	"context"
	"testing"

	"github.com/trolly-logs/trolly/queue"
)

// BenchRoundTrip publishes, receives and acknowledges one message of size bytes at a
// time on q, reporting msgs/s, so that every backend's figure means the same.
func BenchRoundTrip(b *testing.B, q queue.Queue, size int) {
	ctx := context.Background()
	if err := q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor); err != nil {
		b.Fatal(err)
	}
	c, err := q.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	msg := queue.Message{Key: "tenant/stream", Body: make([]byte, size)}
	b.ReportAllocs()
	b.SetBytes(int64(size))
	n := 0
	for b.Loop() {
		if err := q.Publish(ctx, queue.TopicRaw, msg); err != nil {
			b.Fatal(err)
		}
		ds, err := c.Receive(ctx, 1)
		if err != nil {
			b.Fatal(err)
		}
		if err := ds[0].Ack(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}
