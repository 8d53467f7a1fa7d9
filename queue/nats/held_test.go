package nats_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
)

// TestHeldPastAckWait checks that a delivery a live consumer holds for longer than
// ack_wait (a sink batching) is not delivered again to another consumer of its group.
func TestHeldPastAckWait(t *testing.T) {
	cfg := embeddedConfig(t)
	cfg.AckWait = 300 * time.Millisecond
	q := open(t, cfg)
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupArchiver))
	require.NoError(t, q.Publish(ctx, queue.TopicEvents, queue.Message{Key: "k", Body: []byte("held")}))
	holder, err := q.Subscribe(ctx, queue.TopicEvents, queue.GroupArchiver)
	require.NoError(t, err)
	held, err := holder.Receive(ctx, 1)
	require.NoError(t, err)

	other, err := q.Subscribe(ctx, queue.TopicEvents, queue.GroupArchiver)
	require.NoError(t, err)
	wctx, cancel := context.WithTimeout(ctx, 10*cfg.AckWait)
	defer cancel()
	ds, err := other.Receive(wctx, 1)
	require.ErrorIs(t, err, context.DeadlineExceeded, "delivered again while held: %q", bodies(ds))
	require.NoError(t, held[0].Ack())
}
