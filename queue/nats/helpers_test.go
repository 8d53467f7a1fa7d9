package nats_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	natsio "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/nats"
)

const waitFor = 20 * time.Second

var reachable struct {
	once sync.Once
	err  error
}

// serverURL returns the URL of the test server (NATS_URL, else the default), which must
// have JetStream. When it does not answer the test is skipped, or fails if CI is "true":
// CI must run these tests.
func serverURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("NATS_URL")
	if u == "" {
		u = nats.DefaultURL
	}
	reachable.once.Do(func() {
		nc, err := natsio.Connect(u, natsio.Timeout(3*time.Second))
		if err == nil {
			defer nc.Close()
			var js jetstream.JetStream
			if js, err = jetstream.New(nc); err == nil {
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				defer cancel()
				_, err = js.AccountInfo(ctx)
			}
		}
		reachable.err = err
	})
	if err := reachable.err; err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("NATS with JetStream at %s is unreachable, and CI=true requires it: %v", u, err)
		}
		t.Skipf("NATS with JetStream at %s is unreachable (start it with scripts/services, or set NATS_URL; CI=true makes this a failure): %v", u, err)
	}
	return u
}

// serverConfig returns a configuration of the test server with a prefix of its own.
func serverConfig(t testing.TB) nats.Config {
	return nats.Config{URL: serverURL(t), Prefix: "test_" + strings.ToLower(rand.Text()[:10])}
}

// embeddedConfig returns a configuration of an embedded server in a fresh directory.
func embeddedConfig(t testing.TB) nats.Config {
	return nats.Config{Embedded: true, Dir: t.TempDir()}
}

// open returns a queue that is closed when the test ends; on a shared server its streams
// are deleted then too.
func open(t testing.TB, cfg nats.Config) *nats.Queue {
	t.Helper()
	q, err := nats.New(cfg, nats.Options{})
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, q.Close())
		if !cfg.Embedded {
			purge(t, cfg)
		}
	})
	return q
}

// purge deletes the streams of cfg's prefix, on a connection of its own.
func purge(t testing.TB, cfg nats.Config) {
	t.Helper()
	nc, err := natsio.Connect(cfg.URL)
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	names := js.StreamNames(ctx)
	var doomed []string
	for name := range names.Name() {
		if strings.HasPrefix(name, cfg.Prefix+"_") {
			doomed = append(doomed, name)
		}
	}
	require.NoError(t, names.Err())
	for _, name := range doomed {
		require.NoError(t, js.DeleteStream(ctx, name), "delete stream %s", name)
	}
}

func timeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	return ctx
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

func bodies(ds []*queue.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = string(d.Body)
	}
	return out
}

// noise returns n random bytes: a body that compression cannot shrink, for tests that
// count the bytes a stream stores.
func noise(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// logLines returns n access-log lines, which compress as real batches do.
func logLines(n int) []byte {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "10.1.%d.%d - - [07/Dec/2026:10:%02d:%02d +0000] \"GET /shop/item/%d HTTP/1.1\" %d %d \"-\" \"Mozilla/5.0\"\n",
			i%256, i%97, i%60, i%59, i*13, 200+i%3*100, 300+i%5000)
	}
	return []byte(b.String())
}
