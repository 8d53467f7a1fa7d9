package kafka

import (
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/queuetest"
)

func TestConformance(t *testing.T) {
	// Three brokers put group coordinators and partition leaders on different brokers.
	for _, brokers := range []int{1, 3} {
		t.Run(fmt.Sprintf("brokers=%d", brokers), func(t *testing.T) {
			queuetest.Run(t, func(t *testing.T, maxBytes int64) queue.Queue {
				cfg := testConfig(newCluster(t, kfake.NumBrokers(brokers)))
				cfg.MaxLagBytes = maxBytes
				return newQueue(t, cfg)
			})
		})
	}
}
