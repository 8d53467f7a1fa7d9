package rabbitmq_test

import (
	"errors"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/rabbitmq"
)

// TestDeadLetterHeaders checks what an operator finds in the dead-letter queue with any
// AMQP tool, and that DeadLetters reads the same back.
func TestDeadLetterHeaders(t *testing.T) {
	for _, queueType := range []string{rabbitmq.QueueClassic, rabbitmq.QueueQuorum} {
		t.Run(queueType, func(t *testing.T) {
			at := time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
			cfg := testConfig(t, queueType)
			q := open(t, cfg, rabbitmq.Options{Now: func() time.Time { return at }})
			ctx := timeout(t)
			require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
			msgs := keyed("acme/web", 2)
			require.NoError(t, q.Publish(ctx, queue.TopicRaw, msgs...))
			c := subscribe(t, q, queue.TopicRaw, queue.GroupProcessor)
			ds, err := c.Receive(ctx, 1)
			require.NoError(t, err)
			require.NoError(t, ds[0].Nack(errors.New("store down")))
			ds = receiveAll(t, c, 2) // the second message, then the first again
			for _, d := range ds {
				require.NoError(t, d.Reject(errors.New("unparseable")))
			}

			raw := getRaw(t, cfg.URL, q.DeadQueue())
			delete(raw.Headers, "x-delivery-count") // a quorum queue's own
			require.Equal(t, amqp.Table{
				"x-trolly-reason":      "unparseable",
				"x-trolly-topic":       queue.TopicRaw,
				"x-trolly-group":       queue.GroupProcessor,
				"x-trolly-key":         "acme/web",
				"x-trolly-attempt":     int64(ds[0].Attempt),
				"x-trolly-rejected-at": "2026-03-04T05:06:07.89Z",
			}, raw.Headers)
			require.Equal(t, string(ds[0].Body), string(raw.Body))

			dls, err := q.DeadLetters(ctx, 10)
			require.NoError(t, err)
			require.Len(t, dls, 1)
			require.Equal(t, queue.DeadLetter{
				Message: queue.Message{Key: "acme/web", Body: ds[1].Body},
				Topic:   queue.TopicRaw, Group: queue.GroupProcessor,
				Attempt: ds[1].Attempt, Reason: "unparseable", At: at,
			}, dls[0])
			require.ElementsMatch(t, []int{1, 2}, []int{ds[0].Attempt, ds[1].Attempt})
		})
	}
}

// receiveAll returns exactly n deliveries without settling them.
func receiveAll(t *testing.T, c queue.Consumer, n int) []*queue.Delivery {
	t.Helper()
	ctx := timeout(t)
	var got []*queue.Delivery
	for len(got) < n {
		ds, err := c.Receive(ctx, n-len(got))
		require.NoError(t, err)
		got = append(got, ds...)
	}
	return got
}

// getRaw takes one message off a queue as an operator's tool would.
func getRaw(t *testing.T, u, name string) amqp.Delivery {
	t.Helper()
	conn, err := amqp.Dial(u)
	require.NoError(t, err)
	defer conn.Close()
	ch, err := conn.Channel()
	require.NoError(t, err)
	d, ok, err := ch.Get(name, true)
	require.NoError(t, err)
	require.True(t, ok, "queue %s is empty", name)
	return d
}
