package memory_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
)

func TestBytesHeldUntilEveryGroupAcks(t *testing.T) {
	q := newQueue(t, memory.Config{MaxBytes: 4096}, nil, "t", "a", "b")
	a := subscribe(t, q, "t", "a")
	b := subscribe(t, q, "t", "b")
	ctx := t.Context()
	for range 4 {
		require.NoError(t, q.Publish(ctx, "t", sized(1024)))
	}
	err := q.Publish(ctx, "t", sized(1))
	require.ErrorIs(t, err, queue.ErrFull)
	require.NotErrorIs(t, err, memory.ErrTooLarge, "it would fit later")

	ack(t, receive(t, a, 4)...)
	require.ErrorIs(t, q.Publish(ctx, "t", sized(1)), queue.ErrFull, "group b still holds every body")
	ack(t, receive(t, b, 2)...)
	require.NoError(t, q.Publish(ctx, "t", sized(2048)))
	require.ErrorIs(t, q.Publish(ctx, "t", sized(1)), queue.ErrFull)
}

func TestPublishLimits(t *testing.T) {
	tests := []struct {
		name    string
		held    int // bytes published before
		msgs    []queue.Message
		wantErr error // nil: accepted
		tooBig  bool  // whether the error is ErrTooLarge
	}{
		{name: "exactly max_bytes", msgs: []queue.Message{sized(1000)}},
		{name: "one message too large", msgs: []queue.Message{sized(1001)}, wantErr: queue.ErrTooLarge, tooBig: true},
		{name: "call too large", msgs: []queue.Message{sized(600), sized(600)}, wantErr: queue.ErrTooLarge, tooBig: true},
		{name: "no room left", held: 500, msgs: []queue.Message{sized(501)}, wantErr: queue.ErrFull},
		{name: "just enough room", held: 500, msgs: []queue.Message{sized(250), sized(250)}},
		{name: "empty bodies", held: 1000, msgs: []queue.Message{{Key: "k"}, {Key: "k", Body: []byte{}}}},
		{name: "no message", held: 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := newQueue(t, memory.Config{MaxBytes: 1000}, nil, "t", "g")
			if tc.held > 0 {
				require.NoError(t, q.Publish(t.Context(), "t", sized(tc.held)))
			}
			err := q.Publish(t.Context(), "t", tc.msgs...)
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.wantErr)
			require.Equal(t, tc.tooBig, errors.Is(err, memory.ErrTooLarge), "ErrTooLarge in %v", err)
		})
	}
}

func TestPublishCopiesBodies(t *testing.T) {
	q := newQueue(t, memory.Config{}, nil, "t", "a", "b")
	body := []byte("original")
	require.NoError(t, q.Publish(t.Context(), "t", queue.Message{Key: "k", Body: body}))
	copy(body, "reused!!")
	for _, g := range []string{"a", "b"} {
		require.Equal(t, []string{"original"}, bodies(receive(t, subscribe(t, q, "t", g), 1)))
	}
}

func TestInvalidCalls(t *testing.T) {
	q := newQueue(t, memory.Config{}, nil, "t", "g")
	ctx := t.Context()
	require.ErrorContains(t, q.Declare(ctx, ""), "empty topic name")
	require.ErrorContains(t, q.Declare(ctx, "t", "g", ""), "empty group name")
	_, err := subscribe(t, q, "t", "g").Receive(ctx, 0)
	require.ErrorContains(t, err, "max must be > 0")
	q.Seal("undeclared") // ignored
	require.NoError(t, q.Publish(ctx, "t", keyed("k", 1)...))
}

// TestFullCallStoresNothing checks what this backend promises beyond the contract: a call
// refused as full stores none of its messages.
func TestFullCallStoresNothing(t *testing.T) {
	q := newQueue(t, memory.Config{MaxBytes: 4096}, nil, "t", "a")
	c := subscribe(t, q, "t", "a")
	ctx := t.Context()
	require.NoError(t, q.Publish(ctx, "t", sized(2048)))
	require.ErrorIs(t, q.Publish(ctx, "t", sized(1024), sized(1024), sized(1024)), queue.ErrFull)
	ack(t, receive(t, c, 1)...)
	require.NoError(t, q.Publish(ctx, "t", queue.Message{Key: "k", Body: []byte("after")}))
	got := receive(t, c, 1)
	require.Equal(t, "after", string(got[0].Body), "no part of the refused call was stored")
}
