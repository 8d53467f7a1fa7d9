package queuetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
)

// deadLetters polls the dead letters until n arrived, since a broker may keep them
// elsewhere than the message came from.
func deadLetters(t *testing.T, q queue.Queue, n int) []queue.DeadLetter {
	t.Helper()
	ctx := timeout(t)
	var got []queue.DeadLetter
	for len(got) < n {
		dls, err := q.DeadLetters(ctx, n-len(got))
		require.NoError(t, err)
		got = append(got, dls...)
		if len(got) < n {
			select {
			case <-ctx.Done():
				require.FailNow(t, "dead letters missing", "%d of %d", len(got), n)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	return got
}

// testReject checks that a rejected delivery leaves its group for the dead letters, with
// its reason, and is never redelivered, while other groups still receive it.
func testReject(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	topic, groups := declare(t, q, 2)
	msgs := messages("k", "m", 0, 3)
	publish(t, q, topic, msgs...)
	c := subscribe(t, q, topic, groups[0])
	got := receive(t, c, len(msgs))
	require.NoError(t, got[1].Reject(errors.New("unparseable: line 3")))
	ack(t, got[0], got[2])
	receiveNothing(t, c)

	dls := deadLetters(t, q, 1)
	dl := dls[0]
	require.Equal(t, topic, dl.Topic)
	require.Equal(t, groups[0], dl.Group)
	require.Equal(t, msgs[1].Key, dl.Key)
	require.Equal(t, string(msgs[1].Body), string(dl.Body))
	require.Contains(t, dl.Reason, "unparseable: line 3")
	require.Equal(t, 1, dl.Attempt)
	require.False(t, dl.At.IsZero())

	ctx := timeout(t)
	more, err := q.DeadLetters(ctx, 10)
	require.NoError(t, err)
	require.Empty(t, more, "reading removes them")

	other := subscribe(t, q, topic, groups[1])
	require.Equal(t, messageBodies(msgs), bodies(receiveAck(t, other, len(msgs))), "other groups are not affected")
}

// testRejectAfterRedelivery checks that the dead letter says which attempt was rejected.
func testRejectAfterRedelivery(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	topic, groups := declare(t, q, 1)
	publish(t, q, topic, messages("k", "m", 0, 1)...)
	c := subscribe(t, q, topic, groups[0])
	first := receive(t, c, 1)[0]
	require.NoError(t, first.Nack(errRetry))
	again := receive(t, c, 1)[0]
	require.Equal(t, 2, again.Attempt)
	require.NoError(t, again.Reject(errors.New("still failing")))
	require.Equal(t, 2, deadLetters(t, q, 1)[0].Attempt)
	receiveNothing(t, c)
}
