package processor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/queue"
)

// testConfig keeps retries fast.
var testConfig = Config{Workers: 1, BatchSize: 2, RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond}

func rawMessage(t testing.TB, b *trollyv1.RawBatch) queue.Message {
	t.Helper()
	body, err := proto.Marshal(b)
	require.NoError(t, err)
	return queue.Message{Key: b.GetTenantId() + "/" + b.GetStream(), Body: body}
}

func decodeEvents(t testing.TB, m queue.Message) *trollyv1.EventBatch {
	t.Helper()
	var b trollyv1.EventBatch
	require.NoError(t, proto.Unmarshal(m.Body, &b))
	return &b
}

// run runs p until it returns, at most 10 seconds.
func run(t *testing.T, p *Processor) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := p.Run(ctx)
	require.NoError(t, ctx.Err(), "Run did not return before the deadline")
	return err
}

func TestRunPublishesAcksAndDropsPoison(t *testing.T) {
	good := newBatch("nginx_access", text,
		[]byte(`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "curl"`),
		[]byte(`not an access line`))
	unknown := newBatch("syslog", text, []byte("x"))
	unknown.Id = "01HY7Z3Q5W8X9V2N4M6K1J0G3G"
	q := newFaultQueue(t, rawMessage(t, good), queue.Message{Key: "acme/web", Body: []byte{0xff, 0xff, 0xff}},
		rawMessage(t, unknown))
	reg := prometheus.NewRegistry()

	require.NoError(t, run(t, New(testConfig, q, nil, reg)))

	published, acked, nacked := q.snapshot()
	require.Len(t, published, 1)
	require.Equal(t, "acme/web", published[0].Key)
	out := decodeEvents(t, published[0])
	require.Equal(t, testBatchID, out.GetBatchId())
	require.Len(t, out.GetEvents(), 2)
	for i, ev := range out.GetEvents() {
		requireAlwaysPresent(t, ev, "nginx_access", i)
	}
	require.Len(t, acked, 3, "the good batch and both poison ones")
	require.Empty(t, nacked)

	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP trolly_processor_events_total Events made from raw records, by tenant and source type.
# TYPE trolly_processor_events_total counter
trolly_processor_events_total{source_type="nginx_access",tenant="acme"} 2
# HELP trolly_processor_parse_failures_total Events kept with the _parse_failure tag, by tenant and source type.
# TYPE trolly_processor_parse_failures_total counter
trolly_processor_parse_failures_total{source_type="nginx_access",tenant="acme"} 1
# HELP trolly_processor_poison_batches_total Raw batches acknowledged without output because they cannot be processed.
# TYPE trolly_processor_poison_batches_total counter
trolly_processor_poison_batches_total 2
`), "trolly_processor_events_total", "trolly_processor_parse_failures_total", "trolly_processor_poison_batches_total"))
	n, err := testutil.GatherAndCount(reg, "trolly_processor_batch_duration_seconds")
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

func TestRunRetriesWhileFull(t *testing.T) {
	q := newFaultQueue(t, rawMessage(t, newBatch("text", text, []byte("a"))))
	q.publishErr = func(attempt int) error {
		if attempt <= 3 {
			return fmt.Errorf("publish to events: %w", queue.ErrFull)
		}
		return nil
	}
	p := New(testConfig, q, nil, nil)
	require.NoError(t, run(t, p))

	published, acked, nacked := q.snapshot()
	require.Len(t, published, 1)
	require.Len(t, acked, 1)
	require.Empty(t, nacked, "a full topic is waited out, not nacked")
	require.Equal(t, 3.0, testutil.ToFloat64(p.metrics.publishRetries))
}

func TestRunNacksWhenStopped(t *testing.T) {
	q := newFaultQueue(t, rawMessage(t, newBatch("text", text, []byte("a"))))
	q.publishErr = func(int) error { return queue.ErrFull }
	p := New(testConfig, q, nil, nil)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	for range 2 { // the processor is retrying
		select {
		case <-q.attempted:
		case <-time.After(10 * time.Second):
			t.Fatal("no publish attempt")
		}
	}
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	published, acked, nacked := q.snapshot()
	require.Empty(t, published)
	require.Empty(t, acked)
	require.Equal(t, []string{"acme/web"}, nacked)
}

func TestRunRedeliversAfterPublishError(t *testing.T) {
	q := newFaultQueue(t, rawMessage(t, newBatch("text", text, []byte("a"))))
	q.publishErr = func(attempt int) error {
		if attempt == 1 {
			return errors.New("connection reset")
		}
		return nil
	}
	require.NoError(t, run(t, New(testConfig, q, nil, nil)))
	published, acked, nacked := q.snapshot()
	require.Len(t, published, 1)
	require.Equal(t, []string{"acme/web"}, acked)
	require.Equal(t, []string{"acme/web"}, nacked)
}

func TestRunStops(t *testing.T) {
	tests := []struct {
		name       string
		publishErr error
		subscribe  error
		wantErr    error
	}{
		{"events topic closed", fmt.Errorf("publish: %w", queue.ErrClosed), nil, nil},
		{"events topic unknown", fmt.Errorf("publish: %w", queue.ErrUnknownTopic), nil, queue.ErrUnknownTopic},
		{"queue closed at subscribe", nil, queue.ErrClosed, nil},
		{"raw topic unknown", nil, fmt.Errorf("subscribe: %w", queue.ErrUnknownTopic), queue.ErrUnknownTopic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newFaultQueue(t, rawMessage(t, newBatch("text", text, []byte("a"))))
			q.publishErr = func(int) error { return tt.publishErr }
			q.subscribeErr = tt.subscribe
			err := run(t, New(Config{Workers: 2}, q, nil, nil))
			if tt.wantErr == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.wantErr)
			}
			published, acked, _ := q.snapshot()
			require.Empty(t, published)
			require.Empty(t, acked, "nothing is acknowledged that was not published")
		})
	}
}

func TestRunSplitsLargeBatches(t *testing.T) {
	var lines [][]byte
	for i := range 200 {
		lines = append(lines, fmt.Appendf(nil, "line %d", i))
	}
	q := newFaultQueue(t, rawMessage(t, newBatch("text", text, lines...)))
	cfg := testConfig
	cfg.MaxMessageBytes = 4096
	require.NoError(t, run(t, New(cfg, q, nil, nil)))

	published, acked, _ := q.snapshot()
	require.Len(t, acked, 1)
	require.Greater(t, len(published), 1)
	next := 0
	for _, m := range published {
		require.LessOrEqual(t, len(m.Body), 4096)
		for _, ev := range decodeEvents(t, m).GetEvents() {
			requireAlwaysPresent(t, ev, "text", next)
			next++
		}
	}
	require.Equal(t, len(lines), next)
}

func TestRunAcksEmptyBatchWithoutPublishing(t *testing.T) {
	q := newFaultQueue(t, rawMessage(t, newBatch("text", text)))
	require.NoError(t, run(t, New(testConfig, q, nil, nil)))
	published, acked, _ := q.snapshot()
	require.Empty(t, published)
	require.Equal(t, []string{"acme/web"}, acked)
}
