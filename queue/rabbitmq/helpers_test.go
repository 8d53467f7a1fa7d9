package rabbitmq_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/rabbitmq"
)

// waitFor bounds every wait for something that must happen; quiet is how long "nothing
// arrives" is watched.
const (
	waitFor = 20 * time.Second
	quiet   = 300 * time.Millisecond
)

var reachable struct {
	once sync.Once
	err  error
}

// brokerURL returns the URL of the test broker (RABBITMQ_URL, else the default). When it
// does not answer the test is skipped, or fails if CI is "true": CI must run these tests.
func brokerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("RABBITMQ_URL")
	if u == "" {
		u = rabbitmq.DefaultURL
	}
	reachable.once.Do(func() {
		conn, err := amqp.DialConfig(u, amqp.Config{Dial: amqp.DefaultDial(3 * time.Second)})
		if err == nil {
			err = conn.Close()
		}
		reachable.err = err
	})
	if err := reachable.err; err != nil {
		host := "an unparsable RABBITMQ_URL"
		if pu, perr := url.Parse(u); perr == nil {
			host = pu.Host
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("RabbitMQ at %s is unreachable, and CI=true requires it: %v", host, err)
		}
		t.Skipf("RabbitMQ at %s is unreachable (set RABBITMQ_URL; CI=true makes this a failure): %v", host, err)
	}
	return u
}

// testConfig returns a configuration of its own for t: a random prefix, which also names
// the connection.
func testConfig(t testing.TB, queueType string) rabbitmq.Config {
	prefix := "test-" + strings.ToLower(rand.Text()[:10])
	return rabbitmq.Config{
		URL: brokerURL(t), Prefix: prefix, QueueType: queueType, ConnectionName: prefix,
		ReconnectMin: 20 * time.Millisecond, ReconnectMax: 500 * time.Millisecond,
	}
}

// open returns a queue that is closed, and whose broker entities are deleted, when the
// test ends. Queues of one prefix share their entities, so each deletes what it declared.
func open(t testing.TB, cfg rabbitmq.Config, opts rabbitmq.Options) *rabbitmq.Queue {
	t.Helper()
	q, err := rabbitmq.New(cfg, opts)
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, q.Close())
		purge(t, cfg.URL, q.Declared())
	})
	return q
}

// purge deletes the named entities, on a connection of its own.
func purge(t testing.TB, u string, entities map[string]string) {
	t.Helper()
	conn, err := amqp.Dial(u)
	require.NoError(t, err)
	defer conn.Close()
	var ch *amqp.Channel
	for name, kind := range entities {
		if ch == nil || ch.IsClosed() {
			ch, err = conn.Channel()
			require.NoError(t, err)
		}
		if kind == "exchange" {
			err = ch.ExchangeDelete(name, false, false)
		} else {
			_, err = ch.QueueDelete(name, false, false, false)
		}
		if err != nil {
			t.Logf("delete %s %s: %v", kind, name, err)
		}
	}
}

func timeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	return ctx
}

func subscribe(t testing.TB, q queue.Queue, topic, group string) queue.Consumer {
	t.Helper()
	c, err := q.Subscribe(timeout(t), topic, group)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// receiveAck returns exactly n deliveries, acknowledging each.
func receiveAck(t testing.TB, c queue.Consumer, n int) []*queue.Delivery {
	t.Helper()
	ctx := timeout(t)
	var got []*queue.Delivery
	for len(got) < n {
		ds, err := c.Receive(ctx, n-len(got))
		require.NoError(t, err, "receiving %d of %d", len(got)+1, n)
		for _, d := range ds {
			require.NoError(t, d.Ack())
		}
		got = append(got, ds...)
	}
	return got
}

func receiveNothing(t testing.TB, c queue.Consumer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), quiet)
	defer cancel()
	ds, err := c.Receive(ctx, 10)
	require.ErrorIs(t, err, context.DeadlineExceeded, "received %q", bodies(ds))
}

func bodies(ds []*queue.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = string(d.Body)
	}
	return out
}

// keyed returns n messages of key with bodies "<key>-<i>".
func keyed(key string, n int) []queue.Message {
	msgs := make([]queue.Message, n)
	for i := range msgs {
		msgs[i] = queue.Message{Key: key, Body: fmt.Appendf(nil, "%s-%d", key, i)}
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
