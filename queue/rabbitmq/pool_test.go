package rabbitmq

import (
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"
)

// The library closes a channel's returns when the broker closes the channel, which can
// happen between the last confirm and the draining: the returns already buffered are
// counted, and the closed channel ends the count instead of being read forever.
func TestDrainReturnsOfClosedChannel(t *testing.T) {
	returns := make(chan amqp.Return, 4)
	returns <- amqp.Return{}
	returns <- amqp.Return{}
	close(returns)
	done := make(chan int, 1)
	go func() { done <- (&pubChannel{returns: returns}).drainReturns() }()
	select {
	case n := <-done:
		require.Equal(t, 2, n)
	case <-time.After(5 * time.Second):
		t.Fatal("drainReturns still reading a closed channel after 5s")
	}

	open := make(chan amqp.Return, 4)
	open <- amqp.Return{}
	require.Equal(t, 1, (&pubChannel{returns: open}).drainReturns(), "an open channel's buffered returns")
}
