package memory_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
)

// TestNotDurable: the process's stop loses what the queue holds, so `trolly all` must not
// stop with a backlog as if it were kept.
func TestNotDurable(t *testing.T) {
	q, err := memory.New(memory.Config{}, nil)
	require.NoError(t, err)
	defer q.Close()
	require.False(t, queue.IsDurable(q))
}
