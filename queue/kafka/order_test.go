package kafka

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/trolly-logs/trolly/queue"
)

// keyLog checks, as deliveries arrive from any consumer, that no message of a key is
// delivered before every earlier message of that key was: each delivery's sequence number
// is at most one above the highest delivered so far. A consumer that takes a key over
// after a rebalance starts again at the group's commit, which is below that.
type keyLog struct {
	mu      sync.Mutex
	highest map[string]int          // per key
	acked   map[string]map[int]bool // per key
	want    int
	left    int
	done    func()
	errs    []string
}

func (l *keyLog) record(d *queue.Delivery) error {
	key, seqText, _ := strings.Cut(string(d.Body), "|")
	seq, err := strconv.Atoi(seqText)
	if err != nil || key != d.Key {
		return fmt.Errorf("unexpected delivery %q of key %q", d.Body, d.Key)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	high, seen := l.highest[key]
	if !seen {
		high = -1
	}
	if seq > high+1 {
		l.errs = append(l.errs, fmt.Sprintf("key %s: %d delivered while %d was the highest", key, seq, high))
	}
	l.highest[key] = max(high, seq)
	if !l.acked[key][seq] {
		l.acked[key][seq] = true
		if l.left--; l.left == 0 {
			l.done()
		}
	}
	return nil
}

func (l *keyLog) consume(ctx context.Context, c queue.Consumer, delivered *int) error {
	for {
		ds, err := c.Receive(ctx, 7)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		*delivered += len(ds)
		for _, d := range ds {
			if err := l.record(d); err != nil {
				return err
			}
			if err := d.Ack(); err != nil {
				return err
			}
		}
	}
}

// TestOrderPerKeyAcrossConsumers publishes while a second consumer joins the group, so
// that keys move between consumers in the middle of their sequence.
func TestOrderPerKeyAcrossConsumers(t *testing.T) {
	const keys, perKey = 32, 60
	q := newQueue(t, testConfig(newCluster(t)))
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, "events", "indexer"))

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	l := &keyLog{highest: map[string]int{}, acked: map[string]map[int]bool{}, left: keys * perKey, done: stop}
	for k := range keys {
		l.acked[fmt.Sprintf("tenant-%d/stream", k)] = map[int]bool{}
	}
	g, gctx := errgroup.WithContext(runCtx)
	var first, second int // written by one goroutine each, read after Wait
	g.Go(func() error { return l.consume(gctx, subscribe(t, q, "events", "indexer"), &first) })
	for i := range perKey {
		if i == perKey/3 {
			g.Go(func() error { return l.consume(gctx, subscribe(t, q, "events", "indexer"), &second) })
			// The rest goes to both: the keys of the moved partitions change consumer mid-sequence.
			awaitAssignment(t, q, "events", "indexer", 2)
		}
		msgs := make([]queue.Message, keys)
		for k := range msgs {
			key := fmt.Sprintf("tenant-%d/stream", k)
			msgs[k] = queue.Message{Key: key, Body: fmt.Appendf(nil, "%s|%d", key, i)}
		}
		require.NoError(t, q.Publish(ctx, "events", msgs...))
	}
	require.NoError(t, g.Wait())
	require.NoError(t, ctx.Err(), "not every message was acknowledged in time")
	require.Empty(t, l.errs)
	require.Zero(t, l.left)
	t.Logf("first consumer: %d deliveries, second: %d", first, second)
	require.NotZero(t, second, "the second consumer took no partition")
}
