package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/rabbitmq"
)

// TestRabbitMQRestart restarts a RabbitMQ node of the test's own under load (see
// restartUnderLoad).
func TestRabbitMQRestart(t *testing.T) {
	node := startRabbitNode(t)
	restartUnderLoad(t, rabbitBroker(node.url(), randomName("e2e-")), node.stop, node.start)
}

// TestNATSRestart restarts a NATS server of the test's own, on the same port and store,
// under load (see restartUnderLoad).
func TestNATSRestart(t *testing.T) {
	node := startNATSNode(t)
	restartUnderLoad(t, node.broker(), node.stop, node.start)
}

// restartUnderLoad runs the topology on broker b, and stops and starts the broker while
// lines flow: the gateway answers 503 with Retry-After while it is down, every process
// resumes when it is back, and every line the gateway accepted reaches search and the
// archive (see requireDelivered).
func restartUnderLoad(t *testing.T, b broker, stopBroker, startBroker func(*testing.T)) {
	t.Helper()
	tp := startTopology(t, b, 1)
	stop := shipping(t, tp.srv, "demo")
	time.Sleep(2 * time.Second)
	stopBroker(t)
	time.Sleep(4 * time.Second)
	startBroker(t)
	time.Sleep(4 * time.Second)
	ships := stop()
	require.Positive(t, ships[0].unavailable.Load(), "the gateway answered 503 with Retry-After while the broker was down")
	requireDelivered(t, tp, ships)
	tp.stopAll(t)
}

// TestPoisonDeadLettered puts a raw batch that cannot be decoded on a stream's queue: it
// lands in the dead letters with its reason, the lines sent after it on the same stream are
// processed, and `trolly dead-letters` sends it back (it is rejected again) and prints it.
func TestPoisonDeadLettered(t *testing.T) {
	b := sharedRabbit(t)
	tp := startTopology(t, b, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	q, err := rabbitmq.New(rabbitmq.Config{URL: b.url, Prefix: b.prefix}, rabbitmq.Options{})
	require.NoError(t, err)
	defer q.Close()
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	poison := queue.Message{Key: "demo/raw", Body: []byte("this is not a raw batch")}
	require.NoError(t, q.Publish(ctx, queue.TopicRaw, poison))
	tp.srv.mustIngest(t, demoIngest, "raw", "", []string{"sent after the poison"}, false)
	from, to := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	waitTotal(t, tp.srv, demoRead, `"after the poison"`, from, to, 1)

	deadLetters := func(args ...string) string {
		for {
			in := start(t, append([]string{"dead-letters", "--config", tp.cfg}, args...)...)
			require.Equal(t, 0, in.wait(t), in.logs.String())
			if out := strings.TrimSpace(in.logs.String()); out != "" && !strings.HasPrefix(out, "0 dead letters") {
				return out
			}
			require.NoError(t, ctx.Err(), "no dead letter within 60s")
			time.Sleep(200 * time.Millisecond)
		}
	}
	require.Contains(t, deadLetters("--requeue"), "1 dead letters sent back")
	var dl struct {
		Topic, Group, Key, Reason string
		Attempt                   int
		Body                      []byte
	}
	require.NoError(t, json.Unmarshal([]byte(deadLetters()), &dl), "one JSON line")
	require.Equal(t, queue.TopicRaw, dl.Topic)
	require.Equal(t, queue.GroupProcessor, dl.Group)
	require.Equal(t, "demo/raw", dl.Key)
	require.Equal(t, string(poison.Body), string(dl.Body))
	require.Contains(t, dl.Reason, "raw batch")
	tp.stopAll(t)
}
