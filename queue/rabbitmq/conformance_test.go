package rabbitmq_test

import (
	"testing"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/queuetest"
	"github.com/trolly-logs/trolly/queue/rabbitmq"
)

func TestConformance(t *testing.T) {
	tests := []struct {
		name      string
		queueType string
		keyed     []string
	}{
		{"classic", rabbitmq.QueueClassic, nil},
		{"quorum", rabbitmq.QueueQuorum, nil},
		// Every topic of the suite keyed: one queue per key, keys learned from the registry.
		{"classic/keyed", rabbitmq.QueueClassic, []string{rabbitmq.AllTopics}},
		{"quorum/keyed", rabbitmq.QueueQuorum, []string{rabbitmq.AllTopics}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			queuetest.Run(t, func(t *testing.T, maxBytes int64) queue.Queue {
				cfg := testConfig(t, tc.queueType)
				cfg.MaxBytes = maxBytes
				cfg.KeyedTopics = tc.keyed
				return open(t, cfg, rabbitmq.Options{})
			})
		})
	}
}
