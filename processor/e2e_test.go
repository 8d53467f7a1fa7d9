package processor

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
)

// newMemoryQueue returns an in-process queue with the topics of the data path declared.
func newMemoryQueue(t *testing.T, ctx context.Context, cfg memory.Config) *memory.Queue {
	t.Helper()
	q, err := memory.New(cfg, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer))
	return q
}

// startProcessor runs p until the test ends; the returned channel yields Run's result.
func startProcessor(ctx context.Context, p *Processor) <-chan error {
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return done
}

// consumeEvents receives and acknowledges event batches until want events came.
func consumeEvents(t *testing.T, ctx context.Context, q queue.Queue, want int) []queue.Message {
	t.Helper()
	c, err := q.Subscribe(ctx, queue.TopicEvents, queue.GroupIndexer)
	require.NoError(t, err)
	defer func() { require.NoError(t, c.Close()) }()
	var msgs []queue.Message
	for n := 0; n < want; {
		ds, err := c.Receive(ctx, 8)
		require.NoError(t, err, "after %d of %d events", n, want)
		for _, d := range ds {
			n += len(decodeEvents(t, d.Message).GetEvents())
			msgs = append(msgs, d.Message)
			require.NoError(t, d.Ack())
		}
	}
	return msgs
}

func TestEndToEndWithMemoryQueue(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q := newMemoryQueue(t, ctx, memory.Config{})

	// Three streams of two tenants, five batches each, published in order.
	const perKey, lines = 5, 7
	var raws []queue.Message
	order := map[string][]string{} // key -> batch ids in publish order
	for range perKey {
		for _, key := range []struct{ tenant, stream, sourceType string }{
			{"acme", "web", "nginx_access"}, {"acme", "app", "json"}, {"globex", "web", "text"},
		} {
			var recs [][]byte
			for j := range lines {
				recs = append(recs, fmt.Appendf(nil, `{"n":%d}`, j))
			}
			b := newBatch(key.sourceType, text, recs...)
			b.Id = fmt.Sprintf("01HY7Z3Q5W8X9V2N4M6K1J%04d", len(raws))
			b.TenantId, b.Stream = key.tenant, key.stream
			raws = append(raws, rawMessage(t, b))
			k := key.tenant + "/" + key.stream
			order[k] = append(order[k], b.Id)
		}
	}
	require.NoError(t, q.Publish(ctx, queue.TopicRaw, raws...))

	reg := prometheus.NewRegistry()
	done := startProcessor(ctx, New(Config{Workers: 2, BatchSize: 4}, q, nil, nil, reg))
	msgs := consumeEvents(t, ctx, q, len(raws)*lines)

	got := map[string][]string{}
	ids := map[string]bool{}
	for _, m := range msgs {
		b := decodeEvents(t, m)
		require.Equal(t, b.GetTenantId()+"/"+b.GetStream(), m.Key)
		got[m.Key] = append(got[m.Key], b.GetBatchId())
		for _, ev := range b.GetEvents() {
			require.False(t, ids[ev.GetId()], "event %s twice", ev.GetId())
			ids[ev.GetId()] = true
		}
	}
	require.Equal(t, order, got, "each stream's batches arrive in publish order")

	q.Seal(queue.TopicRaw)
	select {
	case err := <-done:
		require.NoError(t, err, "Run ends when the raw topic is sealed and drained")
	case <-ctx.Done():
		t.Fatal("Run did not return after the raw topic was sealed")
	}
	for _, st := range []struct{ tenant, sourceType string }{{"acme", "nginx_access"}, {"acme", "json"}, {"globex", "text"}} {
		v, err := gatherCounter(reg, "trolly_processor_events_total", st.tenant, st.sourceType)
		require.NoError(t, err)
		require.Equal(t, float64(perKey*lines), v, "%+v", st)
	}
}

// gatherCounter reads one series of a counter vector from reg.
func gatherCounter(reg *prometheus.Registry, name, tenant, sourceType string) (float64, error) {
	mfs, err := reg.Gather()
	if err != nil {
		return 0, err
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["tenant"] == tenant && labels["source_type"] == sourceType {
				return m.GetCounter().GetValue(), nil
			}
		}
	}
	return 0, fmt.Errorf("no series %s{tenant=%q,source_type=%q}", name, tenant, sourceType)
}

// TestEndToEndBackpressure fills the events topic: the processor waits, holding its raw
// batch, and goes on once a consumer makes room.
func TestEndToEndBackpressure(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var raws []queue.Message
	for i := range 3 {
		var recs [][]byte
		for j := range 20 {
			recs = append(recs, fmt.Appendf(nil, "batch %d line %d", i, j))
		}
		b := newBatch("text", text, recs...)
		b.Id = fmt.Sprintf("01HY7Z3Q5W8X9V2N4M6K1J%04d", i)
		raws = append(raws, rawMessage(t, b))
	}
	// Room for every raw batch but for a single event batch.
	eventBatch := len(decodeEventsBody(t, raws[0]))
	q := newMemoryQueue(t, ctx, memory.Config{MaxBytes: int64(eventBatch) * 3 / 2})
	require.NoError(t, q.Publish(ctx, queue.TopicRaw, raws...))

	p := New(Config{Workers: 1, BatchSize: 1, RetryMin: time.Millisecond, RetryMax: 10 * time.Millisecond}, q, nil, nil, nil)
	done := startProcessor(ctx, p)
	for testutil.ToFloat64(p.metrics.publishRetries) == 0 {
		select {
		case <-ctx.Done():
			t.Fatal("the processor never met a full topic")
		case <-time.After(time.Millisecond):
		}
	}
	msgs := consumeEvents(t, ctx, q, 3*20)
	require.Len(t, msgs, 3)

	q.Seal(queue.TopicRaw)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-ctx.Done():
		t.Fatal("Run did not return after the raw topic was sealed")
	}
}

// decodeEventsBody returns the encoded event batch of a raw message.
func decodeEventsBody(t *testing.T, raw queue.Message) []byte {
	t.Helper()
	q := newFaultQueue(t, raw)
	require.NoError(t, run(t, New(testConfig, q, nil, nil, nil)))
	published, _, _ := q.snapshot()
	require.Len(t, published, 1)
	return published[0].Body
}
