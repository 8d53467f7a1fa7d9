package rabbitmq_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/rabbitmq"
)

// sized returns a message of key whose body of n bytes starts with "<key>-<i>".
func sized(key string, i, n int) queue.Message {
	body := bytes.Repeat([]byte{'.'}, n)
	copy(body, fmt.Sprintf("%s-%d", key, i))
	return queue.Message{Key: key, Body: body}
}

// TestKeyLimits checks that each key of the raw topic has its own limit: a full key
// refuses publishes while another key takes them.
func TestKeyLimits(t *testing.T) {
	for _, queueType := range []string{rabbitmq.QueueClassic, rabbitmq.QueueQuorum} {
		t.Run(queueType, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			q := open(t, testConfig(t, queueType), rabbitmq.Options{
				Registerer: reg,
				KeyMaxBytes: func(key string) int64 {
					if key == "acme/small" {
						return 4 << 10
					}
					return 0
				},
			})
			ctx := timeout(t)
			require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))

			var small []queue.Message
			for i := 0; ; i++ {
				require.Less(t, i, 16, "the small key never filled up")
				m := sized("acme/small", i, 1<<10)
				err := q.Publish(ctx, queue.TopicRaw, m)
				if err != nil {
					require.ErrorIs(t, err, queue.ErrFull)
					break
				}
				small = append(small, m)
			}
			big := []queue.Message{sized("acme/big", 0, 1<<10), sized("acme/big", 1, 8<<10)}
			require.NoError(t, q.Publish(ctx, queue.TopicRaw, big...), "another key is not full")
			require.ErrorIs(t, q.Publish(ctx, queue.TopicRaw, sized("acme/small", 99, 5<<10)), queue.ErrTooLarge)

			c := subscribe(t, q, queue.TopicRaw, queue.GroupProcessor)
			want := append(messageBodies(small), messageBodies(big)...)
			require.ElementsMatch(t, want, bodies(receiveAck(t, c, len(want))))

			require.Equal(t, float64(len(want)), sum(t, reg, "trolly_queue_published_messages_total"))
			require.Equal(t, float64(len(want)), sum(t, reg, "trolly_queue_deliveries_total"))
			require.Equal(t, 2.0, sum(t, reg, "trolly_queue_publish_errors_total"), "one full, one too large")
			require.Equal(t, 2.0, sum(t, reg, "trolly_queue_keys"))
			require.Equal(t, 1.0, sum(t, reg, "trolly_queue_connected"))
		})
	}
}

// sum adds up the values of a counter or gauge family of reg over its labels.
func sum(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		var total float64
		for _, m := range f.GetMetric() {
			total += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
		return total
	}
	require.FailNow(t, "metric missing", name)
	return 0
}

// TestKeyFromAnotherProcess checks that consumers learn the keys that other processes
// publish first: before they subscribed, and while they consume.
func TestKeyFromAnotherProcess(t *testing.T) {
	cfg := testConfig(t, rabbitmq.QueueClassic)
	consumerProc := open(t, cfg, rabbitmq.Options{})
	publisherProc := open(t, cfg, rabbitmq.Options{})
	ctx := timeout(t)
	require.NoError(t, consumerProc.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))

	early := keyed("acme/early", 3)
	require.NoError(t, publisherProc.Publish(ctx, queue.TopicRaw, early...), "publish without Declare")
	c := subscribe(t, consumerProc, queue.TopicRaw, queue.GroupProcessor)
	require.ElementsMatch(t, messageBodies(early), bodies(receiveAck(t, c, len(early))))

	late := keyed("acme/late", 3)
	require.NoError(t, publisherProc.Publish(ctx, queue.TopicRaw, late...))
	require.ElementsMatch(t, messageBodies(late), bodies(receiveAck(t, c, len(late))))
	require.NoError(t, c.Close())

	// A process started now reads every key from the registry's start.
	newcomer := open(t, cfg, rabbitmq.Options{})
	c2 := subscribe(t, newcomer, queue.TopicRaw, queue.GroupProcessor)
	more := append(keyed("acme/early", 2), keyed("acme/late", 2)...)
	require.NoError(t, publisherProc.Publish(ctx, queue.TopicRaw, more...))
	require.ElementsMatch(t, messageBodies(more), bodies(receiveAck(t, c2, len(more))))
}

// TestGroupOfAnotherProcess checks that a group declared by one process gets the messages
// of keys that another process announced before, once Declare returned.
func TestGroupOfAnotherProcess(t *testing.T) {
	cfg := testConfig(t, rabbitmq.QueueClassic)
	cfg.KeyedTopics = []string{"audit"}
	first := open(t, cfg, rabbitmq.Options{})
	ctx := timeout(t)
	require.NoError(t, first.Declare(ctx, "audit", "a"))
	require.NoError(t, first.Publish(ctx, "audit", keyed("k", 1)...))

	second := open(t, cfg, rabbitmq.Options{})
	require.NoError(t, second.Declare(ctx, "audit", "b"))
	after := keyed("k", 2)[1:]
	require.NoError(t, first.Publish(ctx, "audit", after...))
	c := subscribe(t, second, "audit", "b")
	require.Equal(t, messageBodies(after), bodies(receiveAck(t, c, 1)))
	receiveNothing(t, c)
}

// TestSingleActiveConsumer checks that one consumer at a time takes a key, and another
// takes over, in order, when it leaves.
func TestSingleActiveConsumer(t *testing.T) {
	cfg := testConfig(t, rabbitmq.QueueQuorum)
	cfg.SingleActiveConsumer = true
	q := open(t, cfg, rabbitmq.Options{})
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	msgs := keyed("acme/web", 5)
	require.NoError(t, q.Publish(ctx, queue.TopicRaw, msgs[:1]...))

	active := subscribe(t, q, queue.TopicRaw, queue.GroupProcessor)
	first, err := active.Receive(ctx, 1)
	require.NoError(t, err)
	standby := subscribe(t, q, queue.TopicRaw, queue.GroupProcessor)
	receiveNothing(t, standby) // starts it
	require.NoError(t, q.Publish(ctx, queue.TopicRaw, msgs[1:]...))
	receiveNothing(t, standby)

	require.NoError(t, active.Close())
	got := receiveAck(t, standby, len(msgs))
	require.Equal(t, messageBodies(msgs), bodies(got), "in order, from the first unacknowledged")
	require.Equal(t, 2, got[0].Attempt)
	require.Equal(t, string(first[0].Body), string(got[0].Body))
}

// TestLimitMismatch checks that a queue declared with another limit is used as it is,
// with a warning.
func TestLimitMismatch(t *testing.T) {
	cfg := testConfig(t, rabbitmq.QueueClassic)
	ctx := timeout(t)
	small := open(t, cfg, rabbitmq.Options{KeyMaxBytes: func(string) int64 { return 4 << 10 }})
	require.NoError(t, small.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	require.NoError(t, small.Publish(ctx, queue.TopicRaw, keyed("acme/web", 1)...))

	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	other := open(t, cfg, rabbitmq.Options{Logger: logger})
	require.NoError(t, other.Publish(ctx, queue.TopicRaw, keyed("acme/web", 2)...))
	require.Contains(t, logs.String(), "queue exists with other arguments")
	require.Contains(t, logs.String(), "component=queue")

	c := subscribe(t, other, queue.TopicRaw, queue.GroupProcessor)
	require.Len(t, receiveAck(t, c, 3), 3)
}

// TestUnroutable checks that a message no queue takes is an error, not a silent loss.
func TestUnroutable(t *testing.T) {
	q := open(t, testConfig(t, rabbitmq.QueueClassic), rabbitmq.Options{})
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicEvents))
	err := q.Publish(ctx, queue.TopicEvents, keyed("k", 1)...)
	require.ErrorIs(t, err, rabbitmq.ErrUnroutable)
	require.False(t, errors.Is(err, queue.ErrFull))
}

// syncBuffer is a bytes.Buffer safe for a logger's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestDeclareKey checks that a key's queue can exist before its first message, as when
// a tenant stream is created.
func TestDeclareKey(t *testing.T) {
	cfg := testConfig(t, rabbitmq.QueueClassic)
	q := open(t, cfg, rabbitmq.Options{})
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer))
	require.NoError(t, q.DeclareKey(ctx, queue.TopicRaw, "acme/new"))
	require.Error(t, q.DeclareKey(ctx, queue.TopicEvents, "acme/new"), "events is not keyed")

	conn, err := amqp.Dial(cfg.URL)
	require.NoError(t, err)
	defer conn.Close()
	ch, err := conn.Channel()
	require.NoError(t, err)
	_, err = ch.QueueDeclarePassive(cfg.Prefix+".raw.processor.acme/new", true, false, false, false, nil)
	require.NoError(t, err, "the key's queue of the processor group")
}

// TestRegistryRefresh checks that keys and groups are announced again once nobody did for
// registry_refresh, so that the registry's retention never drops one in use.
func TestRegistryRefresh(t *testing.T) {
	cfg := testConfig(t, rabbitmq.QueueClassic)
	cfg.RegistryRefresh = 300 * time.Millisecond
	q := open(t, cfg, rabbitmq.Options{})
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	require.NoError(t, q.Publish(ctx, queue.TopicRaw, keyed("acme/web", 1)...))

	for {
		counts := registryRecords(t, cfg.URL, cfg.Prefix+".raw.%registry")
		if counts["key acme/web"] >= 2 && counts["group processor"] >= 2 {
			return
		}
		select {
		case <-ctx.Done():
			require.FailNow(t, "never announced again", "%v", counts)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// registryRecords counts the records of a registry stream, read from its start.
func registryRecords(t *testing.T, u, name string) map[string]int {
	t.Helper()
	conn, err := amqp.Dial(u)
	require.NoError(t, err)
	defer conn.Close()
	ch, err := conn.Channel()
	require.NoError(t, err)
	require.NoError(t, ch.Qos(100, 0, false))
	ds, err := ch.Consume(name, "", false, false, false, false, amqp.Table{"x-stream-offset": "first"})
	require.NoError(t, err)
	counts := map[string]int{}
	for {
		select {
		case d := <-ds:
			counts[d.Type+" "+string(d.Body)]++
			require.NoError(t, d.Ack(false))
		case <-time.After(quiet):
			return counts
		}
	}
}
