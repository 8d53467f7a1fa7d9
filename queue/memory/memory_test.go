package memory_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
	"github.com/trolly-logs/trolly/queue/queuetest"
)

func TestConformance(t *testing.T) {
	// 0 is the default; 4 makes many keys share a partition.
	for _, partitions := range []int{0, 4} {
		t.Run(fmt.Sprintf("partitions=%d", partitions), func(t *testing.T) {
			queuetest.Run(t, func(t *testing.T, maxBytes int64) queue.Queue {
				q, err := memory.New(memory.Config{MaxBytes: maxBytes, Partitions: partitions}, nil)
				require.NoError(t, err)
				return q
			})
		})
	}
}
