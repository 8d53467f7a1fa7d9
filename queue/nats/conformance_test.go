package nats_test

import (
	"testing"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/nats"
	"github.com/trolly-logs/trolly/queue/queuetest"
)

func TestConformance(t *testing.T) {
	tests := []struct {
		name   string
		config func(t testing.TB) nats.Config
	}{
		{"embedded", embeddedConfig},
		{"server", serverConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			queuetest.Run(t, func(t *testing.T, maxBytes int64) queue.Queue {
				cfg := tc.config(t)
				cfg.MaxBytes = maxBytes
				return open(t, cfg)
			})
		})
	}
}
