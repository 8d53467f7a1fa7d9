package memory_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
)

var errRetry = errors.New("test: retry")

func TestPartitionHeldByConsumer(t *testing.T) {
	q := newQueue(t, memory.Config{}, nil, "t", "g")
	a := subscribe(t, q, "t", "g")
	b := subscribe(t, q, "t", "g")
	require.NoError(t, q.Publish(t.Context(), "t", keyed("k", 3)...))

	first := receive(t, a, 1)
	receiveNothing(t, b) // a holds the partition of k
	second := receive(t, a, 1)
	require.Equal(t, []string{"k-0", "k-1"}, bodies(append(first, second...)), "the holder keeps receiving")
	ack(t, first...)
	receiveNothing(t, b) // a still has k-1 unacknowledged

	// b waits; a's last ack frees the partition and must wake it.
	ctx, cancel := context.WithTimeout(t.Context(), waitFor)
	defer cancel()
	got := make(chan []string, 1)
	go func() {
		ds, _ := b.Receive(ctx, 1) // an error leaves got empty
		got <- bodies(ds)
	}()
	time.Sleep(quiet) // let b block, so that only the ack can wake it
	ack(t, second...)
	require.Equal(t, []string{"k-2"}, <-got, "b is woken when a releases the partition")
}

func TestReturnedInPublishOrder(t *testing.T) {
	tests := []struct {
		name         string
		settle       func(ds []*queue.Delivery, a queue.Consumer) error
		wantBodies   []string
		wantAttempts []int
	}{{
		name: "nack in reverse order",
		settle: func(ds []*queue.Delivery, _ queue.Consumer) error {
			return errors.Join(ds[1].Nack(errRetry), ds[0].Nack(errRetry), ds[2].Ack())
		},
		wantBodies:   []string{"k-0", "k-1", "k-3"},
		wantAttempts: []int{2, 2, 1},
	}, {
		name: "close after one ack",
		settle: func(ds []*queue.Delivery, a queue.Consumer) error {
			return errors.Join(ds[1].Ack(), a.Close())
		},
		wantBodies:   []string{"k-0", "k-2", "k-3"},
		wantAttempts: []int{2, 2, 1},
	}, {
		name: "nack then close",
		settle: func(ds []*queue.Delivery, a queue.Consumer) error {
			return errors.Join(ds[2].Nack(errRetry), a.Close())
		},
		wantBodies:   []string{"k-0", "k-1", "k-2", "k-3"},
		wantAttempts: []int{2, 2, 2, 1},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := newQueue(t, memory.Config{}, nil, "t", "g")
			a := subscribe(t, q, "t", "g")
			b := subscribe(t, q, "t", "g")
			require.NoError(t, q.Publish(t.Context(), "t", keyed("k", 4)...))
			ds := receive(t, a, 3)
			require.Equal(t, []string{"k-0", "k-1", "k-2"}, bodies(ds))
			require.NoError(t, tc.settle(ds, a))

			// a holds nothing now, so b may take the partition.
			got := receive(t, b, len(tc.wantBodies))
			require.Equal(t, tc.wantBodies, bodies(got))
			require.Equal(t, tc.wantAttempts, attempts(got))
		})
	}
}

// TestKeyOrderWithConcurrentConsumers relies on partition holding: even with four
// consumers, each key is processed in publish order.
func TestKeyOrderWithConcurrentConsumers(t *testing.T) {
	const consumers, keys, perKey = 4, 8, 100
	q := newQueue(t, memory.Config{}, nil, "t", "g")
	ctx, cancel := context.WithTimeout(t.Context(), waitFor)
	defer cancel()

	var mu sync.Mutex
	seen := map[string][]int{} // key: indices in processing order
	processed := 0
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		for i := range perKey {
			for k := range keys {
				m := queue.Message{Key: fmt.Sprintf("k%d", k), Body: fmt.Appendf(nil, "k%d|%d", k, i)}
				if err := q.Publish(gctx, "t", m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	process := func(d *queue.Delivery) error {
		key, idx, _ := strings.Cut(string(d.Body), "|")
		i, err := strconv.Atoi(idx)
		if err != nil {
			return err
		}
		mu.Lock()
		seen[key] = append(seen[key], i)
		processed++
		if processed == keys*perKey {
			cancel()
		}
		mu.Unlock()
		return d.Ack()
	}
	for range consumers {
		c := subscribe(t, q, "t", "g")
		g.Go(func() error {
			for {
				ds, err := c.Receive(gctx, 16)
				if err != nil {
					return nil // done, or timed out: checked below
				}
				for _, d := range ds {
					if err := process(d); err != nil {
						return err
					}
				}
			}
		})
	}
	require.NoError(t, g.Wait())

	require.Len(t, seen, keys)
	for key, got := range seen {
		require.Len(t, got, perKey, "key %s", key)
		for i, idx := range got {
			require.Equal(t, i, idx, "key %s processed out of order", key)
		}
	}
}

func TestSettleErrors(t *testing.T) {
	tests := []struct {
		name    string
		first   func(d *queue.Delivery, c queue.Consumer, q *memory.Queue) error
		second  func(d *queue.Delivery) error
		wantErr error
	}{
		{"ack twice", ackIt, (*queue.Delivery).Ack, memory.ErrUnknownDelivery},
		{"nack after ack", ackIt, nackIt, memory.ErrUnknownDelivery},
		{"ack after nack", func(d *queue.Delivery, _ queue.Consumer, _ *memory.Queue) error {
			return d.Nack(errRetry)
		}, (*queue.Delivery).Ack, memory.ErrUnknownDelivery},
		{"ack after the consumer closed", func(_ *queue.Delivery, c queue.Consumer, _ *memory.Queue) error {
			return c.Close()
		}, (*queue.Delivery).Ack, memory.ErrUnknownDelivery},
		{"nack after the queue closed", func(_ *queue.Delivery, _ queue.Consumer, q *memory.Queue) error {
			return q.Close()
		}, nackIt, queue.ErrClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := newQueue(t, memory.Config{}, nil, "t", "g")
			c := subscribe(t, q, "t", "g")
			require.NoError(t, q.Publish(t.Context(), "t", keyed("k", 1)...))
			d := receive(t, c, 1)[0]
			require.NoError(t, tc.first(d, c, q))
			require.ErrorIs(t, tc.second(d), tc.wantErr)
		})
	}
}

func ackIt(d *queue.Delivery, _ queue.Consumer, _ *memory.Queue) error { return d.Ack() }

func nackIt(d *queue.Delivery) error { return d.Nack(errRetry) }
