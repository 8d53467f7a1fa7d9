package search

import (
	"context"
	"errors"
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
// failures writes.
type fakeBackend struct {
	mu       sync.Mutex
	docs     map[string]map[string]Doc
	writes   int
	failures int
}

func (f *fakeBackend) Write(_ context.Context, index string, docs []Doc) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	if f.failures > 0 {
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

func testQueue(t *testing.T) *memory.Queue {
	q, err := memory.New(memory.Config{}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	require.NoError(t, q.Declare(testContext(t), queue.TopicEvents, queue.GroupIndexer))
	return q
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
func drain(t *testing.T, q *memory.Queue, ix *Indexer) {
	t.Helper()
	q.Seal(queue.TopicEvents)
	ctx := testContext(t)
	require.NoError(t, ix.Run(ctx))
	require.NoError(t, ctx.Err(), "Run returned because the topic was drained")
}
