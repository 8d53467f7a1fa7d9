package processor

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
)

// faultQueue is the real in-process queue with faults injected into what the processor
// does with it: publishes can be made to fail, and every publish, ack, nack and reject is
// recorded. Rejected deliveries also reach the queue's dead letters.
// The raw topic is sealed once the test's messages are on it, so Run returns when it has
// settled them all.
type faultQueue struct {
	*memory.Queue

	mu        sync.Mutex
	published []queue.Message
	acked     []string // keys of acknowledged raw messages
	nacked    []string
	rejected  []string
	// publishErr, when set, answers a publish attempt (counted from 1) before the queue does.
	publishErr func(attempt int) error
	attempt    int
	// attempted is signalled on every publish attempt.
	attempted    chan struct{}
	subscribeErr error
}

func newFaultQueue(t *testing.T, raw ...queue.Message) *faultQueue {
	t.Helper()
	mq, err := memory.New(memory.DefaultConfig(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { mq.Close() })
	ctx := context.Background()
	require.NoError(t, mq.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	require.NoError(t, mq.Declare(ctx, queue.TopicEvents, queue.GroupIndexer))
	require.NoError(t, mq.Publish(ctx, queue.TopicRaw, raw...))
	mq.Seal(queue.TopicRaw)
	return &faultQueue{Queue: mq, attempted: make(chan struct{}, 1000)}
}

func (f *faultQueue) Publish(ctx context.Context, topic string, msgs ...queue.Message) error {
	f.mu.Lock()
	f.attempt++
	var err error
	if f.publishErr != nil {
		err = f.publishErr(f.attempt)
	}
	f.mu.Unlock()
	select {
	case f.attempted <- struct{}{}:
	default:
	}
	if err == nil {
		err = f.Queue.Publish(ctx, topic, msgs...)
	}
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.published = append(f.published, msgs...)
	f.mu.Unlock()
	return nil
}

func (f *faultQueue) Subscribe(ctx context.Context, topic, group string) (queue.Consumer, error) {
	if f.subscribeErr != nil {
		return nil, f.subscribeErr
	}
	c, err := f.Queue.Subscribe(ctx, topic, group)
	if err != nil {
		return nil, err
	}
	return &recordingConsumer{Consumer: c, f: f}, nil
}

// recordingConsumer hands out deliveries whose settlement is recorded, then passed on.
type recordingConsumer struct {
	queue.Consumer
	f *faultQueue
}

func (c *recordingConsumer) Receive(ctx context.Context, max int) ([]*queue.Delivery, error) {
	ds, err := c.Consumer.Receive(ctx, max)
	for i, d := range ds {
		ds[i] = queue.NewDelivery(d.Message, d.Attempt, &recordingAcker{d: d, f: c.f}, 0)
	}
	return ds, err
}

type recordingAcker struct {
	d *queue.Delivery
	f *faultQueue
}

func (a *recordingAcker) Ack(uint64) error {
	if err := a.d.Ack(); err != nil {
		return err
	}
	a.f.mu.Lock()
	defer a.f.mu.Unlock()
	a.f.acked = append(a.f.acked, a.d.Key)
	return nil
}

func (a *recordingAcker) Nack(_ uint64, cause error) error {
	if err := a.d.Nack(cause); err != nil {
		return err
	}
	a.f.mu.Lock()
	defer a.f.mu.Unlock()
	a.f.nacked = append(a.f.nacked, a.d.Key)
	return nil
}

func (a *recordingAcker) Reject(_ uint64, cause error) error {
	if err := a.d.Reject(cause); err != nil {
		return err
	}
	a.f.mu.Lock()
	defer a.f.mu.Unlock()
	a.f.rejected = append(a.f.rejected, a.d.Key)
	return nil
}

// rejects returns the keys of the rejected raw messages.
func (f *faultQueue) rejects() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.rejected...)
}

// snapshot returns copies of what happened.
func (f *faultQueue) snapshot() (published []queue.Message, acked, nacked []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]queue.Message(nil), f.published...), append([]string(nil), f.acked...),
		append([]string(nil), f.nacked...)
}
