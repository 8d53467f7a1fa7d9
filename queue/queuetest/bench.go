package queuetest

import (
	"context"
	"testing"

	"golang.org/x/sync/errgroup"

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

// BenchPipeline has one publisher per key, one message of size bytes per call as the
// gateway does, and c, a consumer of the raw topic's processor group, receiving in
// batches: the throughput-bound path, in which concurrent publishes may share the
// server's syncs. It reports msgs/s.
func BenchPipeline(b *testing.B, q queue.Queue, c queue.Consumer, keys []string, size int) {
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(size))
	b.ResetTimer()
	g, gctx := errgroup.WithContext(ctx)
	for p, key := range keys {
		g.Go(func() error {
			msg := queue.Message{Key: key, Body: make([]byte, size)}
			for i := p; i < b.N; i += len(keys) {
				if err := q.Publish(gctx, queue.TopicRaw, msg); err != nil {
					return err
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		for got := 0; got < b.N; {
			ds, err := c.Receive(gctx, 64)
			if err != nil {
				return err
			}
			for _, d := range ds {
				if err := d.Ack(); err != nil {
					return err
				}
			}
			got += len(ds)
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
