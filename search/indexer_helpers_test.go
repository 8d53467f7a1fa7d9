package search

import (
	"context"
	"errors"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
	"github.com/trolly-logs/trolly/tenant"
)

var errBackendDown = errors.New("backend down")

// fakeBackend keeps docs by index and id, as a backend would, and fails the first
// failures writes (to failIndex only, when it is set).
type fakeBackend struct {
	mu        sync.Mutex
	docs      map[string]map[string]Doc
	writes    map[string]int
	failures  int
	failIndex string
}

func (f *fakeBackend) Write(_ context.Context, index string, docs []Doc) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.writes == nil {
		f.writes = map[string]int{}
	}
	f.writes[index]++
	if f.failures > 0 && (f.failIndex == "" || f.failIndex == index) {
		f.failures--
		return errBackendDown
	}
	if f.docs == nil {
		f.docs = map[string]map[string]Doc{}
	}
	if f.docs[index] == nil {
		f.docs[index] = map[string]Doc{}
	}
	for _, d := range docs {
		if _, ok := f.docs[index][d.ID]; !ok {
			f.docs[index][d.ID] = d
		}
	}
	return nil
}

func (f *fakeBackend) Search(context.Context, Request) (Result, error) { return Result{}, nil }
func (f *fakeBackend) Close() error                                    { return nil }

func (f *fakeBackend) DropTenant(_ context.Context, key string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for index := range f.docs {
		if k, _, _, ok := ParseIndexName(index); ok && k == key {
			delete(f.docs, index)
			n++
		}
	}
	return n, nil
}

func (f *fakeBackend) writeCount(index string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes[index]
}

// ids returns the ids held by each index.
func (f *fakeBackend) ids() map[string][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]string{}
	for index, docs := range f.docs {
		for id := range docs {
			out[index] = append(out[index], id)
		}
	}
	return out
}

func testDirectory(t *testing.T) *tenant.Static {
	dir, err := tenant.NewStatic([]tenant.Config{
		{ID: "acme", RetentionDays: 7},
		{ID: "acme-corp", RetentionDays: 90},
	})
	require.NoError(t, err)
	return dir
}

// settleQueue is the real in-process queue, recording how each delivery is settled.
type settleQueue struct {
	*memory.Queue
	mu      sync.Mutex
	settled map[string]int // by "ack", "nack" and "reject"
}

func (q *settleQueue) Subscribe(ctx context.Context, topic, group string) (queue.Consumer, error) {
	c, err := q.Queue.Subscribe(ctx, topic, group)
	if err != nil {
		return nil, err
	}
	return &settleConsumer{Consumer: c, q: q}, nil
}

// counts returns how many deliveries were settled each way.
func (q *settleQueue) counts() map[string]int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return maps.Clone(q.settled)
}

type settleConsumer struct {
	queue.Consumer
	q *settleQueue
}

func (c *settleConsumer) Receive(ctx context.Context, max int) ([]*queue.Delivery, error) {
	ds, err := c.Consumer.Receive(ctx, max)
	for i, d := range ds {
		ds[i] = queue.NewDelivery(d.Message, d.Attempt, &settleAcker{d: d, q: c.q}, 0)
	}
	return ds, err
}

// settleAcker settles the real delivery, and records it once it is settled.
type settleAcker struct {
	d *queue.Delivery
	q *settleQueue
}

func (a *settleAcker) Ack(uint64) error                 { return a.record("ack", a.d.Ack()) }
func (a *settleAcker) Nack(_ uint64, cause error) error { return a.record("nack", a.d.Nack(cause)) }
func (a *settleAcker) Reject(_ uint64, cause error) error {
	return a.record("reject", a.d.Reject(cause))
}

func (a *settleAcker) record(how string, err error) error {
	if err != nil {
		return err
	}
	a.q.mu.Lock()
	defer a.q.mu.Unlock()
	if a.q.settled == nil {
		a.q.settled = map[string]int{}
	}
	a.q.settled[how]++
	return nil
}

func testQueue(t *testing.T) *settleQueue {
	q, err := memory.New(memory.Config{}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	require.NoError(t, q.Declare(testContext(t), queue.TopicEvents, queue.GroupIndexer))
	return &settleQueue{Queue: q}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func publish(t *testing.T, q queue.Queue, bodies ...[]byte) {
	t.Helper()
	for _, b := range bodies {
		require.NoError(t, q.Publish(testContext(t), queue.TopicEvents, queue.Message{Key: "acme/web", Body: b}))
	}
}

func batch(t *testing.T, tenantID string, events ...*trollyv1.Event) []byte {
	t.Helper()
	b, err := proto.Marshal(&trollyv1.EventBatch{BatchId: "01HN8Z", TenantId: tenantID, Stream: "web", Events: events})
	require.NoError(t, err)
	return b
}

func event(id string, ts time.Time) *trollyv1.Event {
	return &trollyv1.Event{Id: id, TimestampUnixNano: ts.UnixNano(),
		Source: []byte(`{"@timestamp":"` + ts.UTC().Format(time.RFC3339Nano) + `","message":"m","event":{"id":"` + id + `"}}`)}
}

// stoppedClock is the indexer's clock in tests that record its waits: each is exactly
// the backoff.
func stoppedClock() time.Time { return jan31 }

// waits records the backoffs the indexer asks for, without sleeping.
type waits struct {
	mu  sync.Mutex
	got []time.Duration
}

func (w *waits) wait(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.got = append(w.got, d)
	w.mu.Unlock()
	return ctx.Err()
}

// drain seals the events topic and runs ix until it has handled everything.
func drain(t *testing.T, q *settleQueue, ix *Indexer) {
	t.Helper()
	q.Seal(queue.TopicEvents)
	ctx := testContext(t)
	require.NoError(t, ix.Run(ctx))
	require.NoError(t, ctx.Err(), "Run returned because the topic was drained")
}
