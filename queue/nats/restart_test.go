package nats_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/nats"
)

// stored returns n messages of a few keys.
func stored(n int) []queue.Message {
	msgs := make([]queue.Message, n)
	for i := range msgs {
		msgs[i] = queue.Message{Key: fmt.Sprintf("tenant-%d/stream", i%3), Body: fmt.Appendf(nil, "m-%04d", i)}
	}
	return msgs
}

func messageBodies(msgs []queue.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = string(m.Body)
	}
	return out
}

// TestEmbeddedKeepsAcrossRestart checks that what the embedded server acknowledged is
// still there once it runs again on the same directory: after an orderly close, and after
// a crash of the process, which a copy of its directory taken while it runs stands for
// (nothing is flushed at shutdown). The copy reads what the kernel holds, so with fsync
// "interval" it shows that the server writes every message before acknowledging it, not
// that the message survives a crash of the machine.
func TestEmbeddedKeepsAcrossRestart(t *testing.T) {
	tests := []struct {
		name  string
		fsync string
		crash bool
	}{
		{"close", nats.FsyncAlways, false},
		{"crash/fsync=always", nats.FsyncAlways, true},
		{"crash/fsync=interval", nats.FsyncInterval, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := embeddedConfig(t)
			cfg.Fsync = tc.fsync
			q, err := nats.New(cfg, nats.Options{})
			require.NoError(t, err)
			ctx := timeout(t)
			require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
			msgs := stored(300)
			for i := 0; i < len(msgs); i += 50 {
				require.NoError(t, q.Publish(ctx, queue.TopicRaw, msgs[i:i+50]...))
			}
			if tc.crash {
				crashed := filepath.Join(t.TempDir(), "crashed")
				require.NoError(t, os.CopyFS(crashed, os.DirFS(cfg.Dir)))
				require.NoError(t, q.Close())
				cfg.Dir = crashed
			} else {
				require.NoError(t, q.Close())
			}

			q = open(t, cfg)
			c, err := q.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
			require.NoError(t, err)
			got := receiveAck(t, c, len(msgs))
			require.Equal(t, messageBodies(msgs), bodies(got), "everything, in publish order")
			require.Equal(t, "tenant-1/stream", got[1].Key)
		})
	}
}

// TestEmbeddedStoreIsLocked checks that a second embedded server cannot open a store in
// use, which two servers would corrupt.
func TestEmbeddedStoreIsLocked(t *testing.T) {
	cfg := embeddedConfig(t)
	open(t, cfg)
	_, err := nats.New(cfg, nats.Options{})
	require.ErrorContains(t, err, "is in use by another process")
}
