package nats_test

import (
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/nats"
)

// histogram returns the count and sum of a histogram without labels in reg.
func histogram(t *testing.T, reg *prometheus.Registry, name string) (count uint64, sum float64) {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() == name {
			var h *dto.Histogram = mf.GetMetric()[0].GetHistogram()
			return h.GetSampleCount(), h.GetSampleSum()
		}
	}
	return 0, 0
}

// TestGroupCommit checks that every Publish on the embedded server with fsync "always"
// waits for a round of syncs, and that concurrent publishers share rounds.
func TestGroupCommit(t *testing.T) {
	const publishers, each = 32, 4
	reg := prometheus.NewRegistry()
	q, err := nats.New(embeddedConfig(t), nats.Options{Registerer: reg})
	require.NoError(t, err)
	defer q.Close()
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))

	var g errgroup.Group
	for p := range publishers {
		g.Go(func() error {
			for i := range each {
				m := queue.Message{Key: fmt.Sprintf("t%d/s", p), Body: fmt.Appendf(nil, "%d-%d", p, i)}
				if err := q.Publish(ctx, queue.TopicRaw, m); err != nil {
					return err
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	rounds, waiters := histogram(t, reg, "trolly_queue_nats_sync_waiters")
	require.Equal(t, float64(publishers*each), waiters, "every publish waited for a sync")
	require.Less(t, rounds, uint64(publishers*each), "concurrent publishes shared rounds")
	syncs, _ := histogram(t, reg, "trolly_queue_nats_sync_seconds")
	require.Equal(t, rounds, syncs)

	c, err := q.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	require.NoError(t, err)
	require.Len(t, receiveAck(t, c, publishers*each), publishers*each)
}

// TestNoSyncRounds checks that fsync "interval" leaves the syncs to the server.
func TestNoSyncRounds(t *testing.T) {
	reg := prometheus.NewRegistry()
	cfg := embeddedConfig(t)
	cfg.Fsync = nats.FsyncInterval
	q, err := nats.New(cfg, nats.Options{Registerer: reg})
	require.NoError(t, err)
	defer q.Close()
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	require.NoError(t, q.Publish(ctx, queue.TopicRaw, stored(10)...))
	rounds, _ := histogram(t, reg, "trolly_queue_nats_sync_waiters")
	require.Zero(t, rounds)
}
