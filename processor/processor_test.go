package processor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
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

// rawWithKey is rawMessage on the key of the test stream, whatever the batch says.
func rawWithKey(t testing.TB, b *trollyv1.RawBatch) queue.Message {
	m := rawMessage(t, b)
	m.Key = testTenant + "/" + testStream
	return m
}

func TestRunRejectsPoisonWithoutBlockingItsStream(t *testing.T) {
	good := newBatch("nginx_access", text,
		[]byte(`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "curl"`),
		[]byte(`not an access line`))
	unknown := newBatch("windows_evtx", text, []byte("x"))
	unknown.Id = "01HY7Z3Q5W8X9V2N4M6K1J0G3G"
	noTenant := newBatch("text", text, []byte("x"))
	noTenant.Id, noTenant.TenantId = "01HY7Z3Q5W8X9V2N4M6K1J0G3H", ""
	after := newBatch("text", text, []byte("behind the poison"))
	after.Id = "01HY7Z3Q5W8X9V2N4M6K1J0G3J"
	poison := []struct {
		msg    queue.Message
		reason string
	}{
		{queue.Message{Key: "acme/web", Body: []byte{0xff, 0xff, 0xff}}, "undecodable raw batch: "},
		{rawWithKey(t, unknown), `unknown source type "windows_evtx"`},
		{rawWithKey(t, noTenant), "invalid raw batch 01HY7Z3Q5W8X9V2N4M6K1J0G3H: no tenant"},
	}
	// The poison comes first on the stream; the good batches are between and behind.
	q := newFaultQueue(t, poison[0].msg, rawMessage(t, good), poison[1].msg, poison[2].msg, rawMessage(t, after))
	reg := prometheus.NewRegistry()

	require.NoError(t, run(t, New(testConfig, q, nil, nil, reg)))

	published, acked, nacked := q.snapshot()
	require.Len(t, published, 2)
	out := decodeEvents(t, published[0])
	require.Equal(t, testBatchID, out.GetBatchId())
	require.Len(t, out.GetEvents(), 2)
	for i, ev := range out.GetEvents() {
		requireAlwaysPresent(t, ev, "nginx_access", i)
	}
	require.Equal(t, after.GetId(), decodeEvents(t, published[1]).GetBatchId(), "the stream goes on behind the poison")
	require.Equal(t, []string{"acme/web", "acme/web"}, acked, "only the good batches are acknowledged")
	require.Empty(t, nacked, "poison is never redelivered")
	require.Len(t, q.rejects(), len(poison))

	dead, err := q.DeadLetters(t.Context(), 10)
	require.NoError(t, err)
	require.Len(t, dead, len(poison))
	for i, want := range poison {
		got := dead[i]
		require.Equal(t, want.msg, got.Message, "dead letter %d", i)
		require.Equal(t, queue.TopicRaw, got.Topic)
		require.Equal(t, queue.GroupProcessor, got.Group)
		require.Equal(t, 1, got.Attempt)
		require.Contains(t, got.Reason, want.reason)
	}

	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP trolly_processor_events_total Events made from raw records, by tenant and source type.
# TYPE trolly_processor_events_total counter
trolly_processor_events_total{source_type="nginx_access",tenant="acme"} 2
trolly_processor_events_total{source_type="text",tenant="acme"} 1
# HELP trolly_processor_parse_failures_total Events kept with the _parse_failure tag, by tenant and source type.
# TYPE trolly_processor_parse_failures_total counter
trolly_processor_parse_failures_total{source_type="nginx_access",tenant="acme"} 1
# HELP trolly_processor_poison_batches_total Raw batches rejected to the dead letters because they cannot be processed, by reason.
# TYPE trolly_processor_poison_batches_total counter
trolly_processor_poison_batches_total{reason="invalid_batch"} 1
trolly_processor_poison_batches_total{reason="invalid_settings"} 0
trolly_processor_poison_batches_total{reason="max_attempts"} 0
trolly_processor_poison_batches_total{reason="undecodable"} 1
trolly_processor_poison_batches_total{reason="unencodable"} 0
trolly_processor_poison_batches_total{reason="unknown_source_type"} 1
`), "trolly_processor_events_total", "trolly_processor_parse_failures_total", "trolly_processor_poison_batches_total"))
	n, err := testutil.GatherAndCount(reg, "trolly_processor_batch_duration_seconds")
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

// syncBuffer is a log sink that the race detector accepts.
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

// A failing publish is retried while the raw batch is held: it is neither nacked, which
// would inflate its Attempt, nor acknowledged before its events are published.
func TestRunHoldsRawBatchWhilePublishFails(t *testing.T) {
	tests := []struct {
		name                  string
		err                   error
		wantRetries, wantErrs float64
		wantWarnings          []string
	}{
		{"events topic full", fmt.Errorf("publish to events: %w", queue.ErrFull), 3, 0, nil},
		{"queue down", errors.New("connection reset by peer"), 0, 3, []string{"retry_in=1ms", "retry_in=2ms", "retry_in=4ms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newFaultQueue(t, rawMessage(t, newBatch("text", text, []byte("a"))))
			q.publishErr = func(attempt int) error {
				if attempt <= 3 {
					return tt.err
				}
				return nil
			}
			logs := &syncBuffer{}
			p := New(testConfig, q, nil, slog.New(slog.NewTextHandler(logs, nil)), nil)
			require.NoError(t, run(t, p))

			published, acked, nacked := q.snapshot()
			require.Len(t, published, 1)
			require.Equal(t, []string{"acme/web"}, acked)
			require.Empty(t, nacked, "a failing publish is waited out, not nacked")
			require.Empty(t, q.rejects())
			require.Equal(t, tt.wantRetries, testutil.ToFloat64(p.metrics.publishRetries))
			require.Equal(t, tt.wantErrs, testutil.ToFloat64(p.metrics.publishErrors))
			var warnings []string
			for line := range strings.Lines(logs.String()) {
				if strings.Contains(line, "level=WARN") && strings.Contains(line, "publish event batch; retrying") {
					require.Contains(t, line, "connection reset by peer")
					warnings = append(warnings, strings.Fields(line[strings.Index(line, "retry_in="):])[0])
				}
			}
			require.Equal(t, tt.wantWarnings, warnings)
		})
	}
}

func TestRunNacksWhenStopped(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"while the events topic is full", queue.ErrFull},
		{"while the queue is down", errors.New("connection refused")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newFaultQueue(t, rawMessage(t, newBatch("text", text, []byte("a"))))
			q.publishErr = func(int) error { return tt.err }
			p := New(testConfig, q, nil, nil, nil)

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
			require.Equal(t, []string{"acme/web"}, nacked, "a stop returns the batch, once")
			require.Empty(t, q.rejects())
		})
	}
}

// A raw batch delivered more than max_attempts times, as when it crashes every processor
// that takes it, goes to the dead letters; the batch behind it is processed.
func TestRunRejectsAfterMaxAttempts(t *testing.T) {
	tests := []struct {
		name        string
		crashes     int
		maxAttempts int
		wantReason  string
	}{
		{"above max_attempts", 3, 3, "delivered 4 times without being acknowledged (the processor may crash on it)"},
		{"at max_attempts", 2, 3, ""},
		{"default max_attempts", DefaultMaxAttempts, 0, "delivered 11 times without being acknowledged (the processor may crash on it)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			crashy := newBatch("text", text, []byte("crashes the processor"))
			after := newBatch("text", text, []byte("behind it"))
			after.Id = "01HY7Z3Q5W8X9V2N4M6K1J0G3K"
			q := newFaultQueue(t, rawMessage(t, crashy), rawMessage(t, after))
			crash(t, q, tt.crashes)

			cfg := testConfig
			cfg.MaxAttempts = tt.maxAttempts
			p := New(cfg, q, nil, nil, nil)
			require.NoError(t, run(t, p))

			published, _, nacked := q.snapshot()
			require.Empty(t, nacked)
			dead, err := q.DeadLetters(t.Context(), 10)
			require.NoError(t, err)
			if tt.wantReason == "" {
				require.Len(t, published, 2)
				require.Empty(t, dead)
				return
			}
			require.Len(t, published, 1)
			require.Equal(t, after.GetId(), decodeEvents(t, published[0]).GetBatchId())
			require.Len(t, dead, 1)
			require.Equal(t, tt.wantReason, dead[0].Reason)
			require.Equal(t, tt.crashes+1, dead[0].Attempt)
			require.Equal(t, rawMessage(t, crashy), dead[0].Message)
			require.Equal(t, 1.0, testutil.ToFloat64(p.metrics.poison.WithLabelValues(reasonMaxAttempts)))
		})
	}
}

// crash receives the first raw message n times without acknowledging it, as processors
// that crash on it would.
func crash(t *testing.T, q *faultQueue, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, err := q.Queue.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	require.NoError(t, err)
	defer func() { require.NoError(t, c.Close()) }()
	for i := range n {
		ds, err := c.Receive(ctx, 1)
		require.NoError(t, err)
		require.Equal(t, i+1, ds[0].Attempt)
		require.NoError(t, ds[0].Nack(errors.New("worker crashed")))
	}
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
		{"message too large", fmt.Errorf("publish: %w", queue.ErrTooLarge), nil, queue.ErrTooLarge},
		{"queue closed at subscribe", nil, queue.ErrClosed, nil},
		{"raw topic unknown", nil, fmt.Errorf("subscribe: %w", queue.ErrUnknownTopic), queue.ErrUnknownTopic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newFaultQueue(t, rawMessage(t, newBatch("text", text, []byte("a"))))
			q.publishErr = func(int) error { return tt.publishErr }
			q.subscribeErr = tt.subscribe
			err := run(t, New(Config{Workers: 2}, q, nil, nil, nil))
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
	require.NoError(t, run(t, New(cfg, q, nil, nil, nil)))

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
	require.NoError(t, run(t, New(testConfig, q, nil, nil, nil)))
	published, acked, _ := q.snapshot()
	require.Empty(t, published)
	require.Equal(t, []string{"acme/web"}, acked)
}
