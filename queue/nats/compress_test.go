package nats_test

import (
	"encoding/base64"
	"testing"
	"time"

	natsio "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/nats"
)

// TestCompressedOnDisk checks that the stream stores batches of log lines compressed, and
// that the consumers get them back as published.
func TestCompressedOnDisk(t *testing.T) {
	const n = 40
	q := open(t, embeddedConfig(t))
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	var msgs []queue.Message
	total := 0
	for i := range n {
		body := append([]byte{byte('a' + i%26)}, logLines(500+i)...)
		msgs = append(msgs, queue.Message{Key: "t/web", Body: body})
		total += len(body)
	}
	require.NoError(t, q.Publish(ctx, queue.TopicRaw, msgs...))
	awaitBacklog(t, q, func(b queue.Backlog) bool { return b.Bytes > 0 }, "the stream's size")
	stored := q.Backlog().Bytes
	require.Less(t, stored, int64(total/4), "%d bytes published, %d stored", total, stored)
	t.Logf("%d bytes of log lines stored as %d (%.1fx)", total, stored, float64(total)/float64(stored))

	c, err := q.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	require.NoError(t, err)
	want := make([]string, n)
	for i, m := range msgs {
		want[i] = string(m.Body)
	}
	require.Equal(t, want, bodies(receiveAck(t, c, n)))
}

// TestCompressionMixed checks that processes of either compression setting read what the
// other published, as in a deployment changing the setting one process at a time.
func TestCompressionMixed(t *testing.T) {
	zcfg := serverConfig(t)
	ncfg := zcfg
	ncfg.Compression = nats.CompressionNone
	z, none := open(t, zcfg), open(t, ncfg)
	ctx := timeout(t)
	require.NoError(t, z.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))

	fromZ := queue.Message{Key: "t/web", Body: logLines(300)}
	fromNone := queue.Message{Key: "t/web", Body: logLines(301)}
	require.NoError(t, z.Publish(ctx, queue.TopicRaw, fromZ))
	require.NoError(t, none.Publish(ctx, queue.TopicRaw, fromNone))

	c, err := none.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	require.NoError(t, err)
	require.Equal(t, []string{string(fromZ.Body)}, bodies(receiveAck(t, c, 1)), "compression none reads zstd")
	require.NoError(t, c.Close())
	c, err = z.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	require.NoError(t, err)
	require.Equal(t, []string{string(fromNone.Body)}, bodies(receiveAck(t, c, 1)), "zstd reads uncompressed")
}

// TestUnreadableBody checks that a message whose body cannot be restored is not delivered
// (no consumer could handle it) nor lost: it becomes a dead letter, as stored, with the
// reason, and the messages after it are delivered.
func TestUnreadableBody(t *testing.T) {
	cfg := serverConfig(t)
	q := open(t, cfg)
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))

	nc, err := natsio.Connect(cfg.URL)
	require.NoError(t, err)
	defer nc.Close()
	bad := natsio.NewMsg(cfg.Prefix + "." + queue.TopicRaw + ".k" + base64.RawURLEncoding.EncodeToString([]byte("t/web")))
	bad.Header.Set("Trolly-Encoding", "zstd")
	bad.Data = []byte("these bytes are no zstd frame")
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	_, err = js.PublishMsg(ctx, bad)
	require.NoError(t, err)
	good := queue.Message{Key: "t/web", Body: logLines(10)}
	require.NoError(t, q.Publish(ctx, queue.TopicRaw, good))

	c, err := q.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	require.NoError(t, err)
	require.Equal(t, []string{string(good.Body)}, bodies(receiveAck(t, c, 1)))

	var dead []queue.DeadLetter
	for deadline := time.Now().Add(waitFor); len(dead) == 0; time.Sleep(50 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "no dead letter")
		dead, err = q.DeadLetters(ctx, 10)
		require.NoError(t, err)
	}
	require.Len(t, dead, 1)
	require.Equal(t, "t/web", dead[0].Key)
	require.Equal(t, string(bad.Data), string(dead[0].Body))
	require.Equal(t, queue.TopicRaw, dead[0].Topic)
	require.Contains(t, dead[0].Reason, "decompress a body of 29 bytes")
}
