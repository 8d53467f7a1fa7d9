package kafka

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
)

// TestRebalanceWithDeliveriesInFlight has consumer A hold every delivery while B joins
// and takes half the partitions, then acknowledge late: the acks of what B took must commit
// nothing (B owns those offsets now and receives the records again), while A's own
// partitions commit as usual. Nothing is lost.
func TestRebalanceWithDeliveriesInFlight(t *testing.T) {
	q := newQueue(t, testConfig(newCluster(t)))
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, "raw", "processor"))
	var msgs []queue.Message
	for i := range 64 {
		msgs = append(msgs, queue.Message{Key: fmt.Sprintf("tenant/%d", i%32), Body: fmt.Appendf(nil, "m-%02d", i)})
	}
	require.NoError(t, q.Publish(ctx, "raw", msgs...))

	a := subscribe(t, q, "raw", "processor").(*consumer)
	held := receive(t, a, len(msgs))
	partOf := map[string]int32{} // body: partition, from what A tracks
	a.mu.Lock()
	for _, f := range a.flights {
		partOf[string(f.rec.Value)] = f.rec.Partition
	}
	a.mu.Unlock()
	require.Len(t, partOf, len(msgs))

	b := subscribe(t, q, "raw", "processor").(*consumer)
	owners := awaitAssignment(t, q, "raw", "processor", 2)
	memberB, _ := b.cl.GroupMetadata()
	moved, kept, movedBodies := split(partOf, owners[memberB], q.cfg.Partitions)
	require.NotEmpty(t, movedBodies, "B's partitions hold none of the messages")

	again := receive(t, b, len(movedBodies))
	require.ElementsMatch(t, movedBodies, bodies(again), "B receives what A held on B's partitions")
	for _, d := range again {
		require.Equal(t, 2, d.Attempt, "A delivered %q once before", d.Body)
	}

	ackAll(t, held...) // late: part of them were revoked
	a.commitMu.Lock()  // commit now what A would commit at its next tick
	err := a.commitLocked(ctx, a.cl, nil)
	a.commitMu.Unlock()
	require.NoError(t, err)
	awaitCommitted(t, q, "raw", "processor", kept)
	committed := committedOffsets(t, q, "raw", "processor")
	for _, p := range moved {
		require.Zero(t, committed[p], "partition %d: A committed an ack it no longer owned", p)
	}
	require.Equal(t, float64(len(movedBodies)),
		testutil.ToFloat64(q.metrics.staleSettles.WithLabelValues("raw", "processor")))

	ackAll(t, again...)
	awaitCommitted(t, q, "raw", "processor", moved)
	require.NoError(t, a.Close())
	require.NoError(t, b.Close())
	_, err = subscribe(t, q, "raw", "processor").Receive(shortContext(t), 10)
	require.ErrorIs(t, err, context.DeadlineExceeded, "everything was acknowledged by its owner")
}

// split returns the partitions of a topic of n partitions that moved (to B) and those
// kept (by A), and the bodies on the moved ones, given each body's partition.
func split(partOf map[string]int32, moved []int32, n int) (_, kept []int32, movedBodies []string) {
	for p := range int32(n) {
		if !slices.Contains(moved, p) {
			kept = append(kept, p)
		}
	}
	for body, p := range partOf {
		if slices.Contains(moved, p) {
			movedBodies = append(movedBodies, body)
		}
	}
	return moved, kept, movedBodies
}
