package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
)

// rejected returns a queue holding one dead letter of body.
func rejected(t *testing.T, body string) (*memory.Queue, queue.Consumer, []queue.DeadLetter) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q, err := memory.New(memory.DefaultConfig(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { q.Close() })
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	require.NoError(t, q.Publish(ctx, queue.TopicRaw, queue.Message{Key: "demo/web", Body: []byte(body)}))
	c, err := q.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	ds, err := c.Receive(ctx, 1)
	require.NoError(t, err)
	require.NoError(t, ds[0].Reject(errors.New("decode raw batch: bad wire type")))
	dls, err := q.DeadLetters(ctx, 10)
	require.NoError(t, err)
	require.Len(t, dls, 1)
	return q, c, dls
}

func TestDeadLettersPrint(t *testing.T) {
	q, _, dls := rejected(t, "poison")
	var out bytes.Buffer
	require.Equal(t, exitOK, settleDeadLetters(context.Background(), q, dls, false, &out, slog.New(slog.DiscardHandler)))
	var got deadLetter
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	require.True(t, dls[0].At.Equal(got.At), "at %s, printed %s", dls[0].At, got.At)
	got.At = time.Time{}
	require.Equal(t, deadLetter{Topic: "raw", Group: "processor", Key: "demo/web", Attempt: 1,
		Reason: "decode raw batch: bad wire type", Body: []byte("poison")}, got)
}

func TestDeadLettersRequeue(t *testing.T) {
	q, c, dls := rejected(t, "fixed now")
	var out bytes.Buffer
	require.Equal(t, exitOK, settleDeadLetters(context.Background(), q, dls, true, &out, slog.New(slog.DiscardHandler)))
	require.Contains(t, out.String(), "1 dead letters sent back")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ds, err := c.Receive(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, "fixed now", string(ds[0].Body), "back on its topic")
	require.Equal(t, "demo/web", ds[0].Key)
}

func TestDeadLettersRefusesMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trolly.yaml")
	require.NoError(t, os.WriteFile(path, []byte("queue: {driver: memory-test-only}\n"), 0o600))
	var out, errOut bytes.Buffer
	require.Equal(t, exitUsage, run(context.Background(), []string{"dead-letters", "--config", path}, nil, nil, &out, &errOut))
	require.True(t, strings.Contains(errOut.String(), "memory queue keeps its dead letters"), errOut.String())
}
