package processor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/sourcetype"
	"github.com/trolly-logs/trolly/tenant"
)

// faultDirectory is a real tenant.Static with faults injected: its first failures look-ups
// fail with err, and the tenants it serves can be replaced.
type faultDirectory struct {
	mu       sync.Mutex
	dir      *tenant.Static
	failures int
	err      error
	calls    int
}

func newFaultDirectory(t testing.TB, streams ...tenant.StreamConfig) *faultDirectory {
	f := &faultDirectory{}
	f.set(t, streams...)
	return f
}

// set replaces the streams of tenant acme.
func (f *faultDirectory) set(t testing.TB, streams ...tenant.StreamConfig) {
	t.Helper()
	dir, err := tenant.NewStatic([]tenant.Config{{ID: testTenant, Streams: streams}})
	require.NoError(t, err)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dir = dir
}

func (f *faultDirectory) Stream(ctx context.Context, tenantID, name string) (tenant.Stream, error) {
	f.mu.Lock()
	f.calls++
	fail := f.calls <= f.failures
	dir := f.dir
	f.mu.Unlock()
	if fail {
		return tenant.Stream{}, f.err
	}
	return dir.Stream(ctx, tenantID, name)
}

// TestStreamsSettings compiles a stream's settings from the directory, and refuses settings
// that no longer compile rather than parsing without them (and so without their redaction).
func TestStreamsSettings(t *testing.T) {
	dir := newFaultDirectory(t,
		tenant.StreamConfig{Name: "app", SourceType: "text", Parser: map[string]any{"patterns": []any{"^%{WORD:user.name}$"}}},
		tenant.StreamConfig{Name: "old", SourceType: "text", Parser: map[string]any{"patterns": []any{"%{NOPE:x}"}}},
	)
	s := newStreams(dir, sourcetype.Builtin())

	st, err := s.get(t.Context(), testTenant, "app", "text")
	require.NoError(t, err)
	require.NotNil(t, st.patterns, "the stream's patterns")
	again, err := s.get(t.Context(), testTenant, "app", "text")
	require.NoError(t, err)
	require.Same(t, st, again, "compiled once")

	plain, err := s.get(t.Context(), testTenant, "app", "json")
	require.NoError(t, err)
	require.Nil(t, plain.patterns, "a batch of another source type is parsed without the settings")

	_, err = s.get(t.Context(), testTenant, "old", "text")
	require.ErrorIs(t, err, ErrInvalidSettings)
	require.Equal(t, reasonInvalidSettings, poisonReason(err))

	_, err = s.get(t.Context(), testTenant, "gone", "windows_evtx")
	require.ErrorIs(t, err, ErrUnknownSourceType)
}

// TestStreamsDirectoryFails never parses a stream by its source type alone when the
// directory cannot say what its settings are: they may redact or drop.
func TestStreamsDirectoryFails(t *testing.T) {
	dir := newFaultDirectory(t, tenant.StreamConfig{Name: testStream, SourceType: "text",
		Parser: map[string]any{"pipeline": []any{map[string]any{"redact": map[string]any{"builtins": []any{"email"}}}}}})
	dir.failures, dir.err = 1, tenant.ErrNotLoaded
	s := newStreams(dir, sourcetype.Builtin())

	st, err := s.get(t.Context(), testTenant, testStream, "text")
	require.ErrorIs(t, err, errDirectory)
	require.ErrorIs(t, err, tenant.ErrNotLoaded)
	require.Nil(t, st)

	st, err = s.get(t.Context(), testTenant, testStream, "text")
	require.NoError(t, err)
	require.NotNil(t, st.pipeline, "the stream's pipeline once the directory answers")
}

// TestStreamsCompileOutsideTheLock serves other streams while one stream compiles, and has
// that stream's batches wait for its one compile.
func TestStreamsCompileOutsideTheLock(t *testing.T) {
	dir := newFaultDirectory(t,
		tenant.StreamConfig{Name: "slow", SourceType: "text", Parser: map[string]any{"patterns": []any{"^%{WORD:a}$"}}},
		tenant.StreamConfig{Name: "fast", SourceType: "text", Parser: map[string]any{"patterns": []any{"^%{WORD:b}$"}}},
	)
	s := newStreams(dir, sourcetype.Builtin())
	slow, err := dir.Stream(t.Context(), testTenant, "slow")
	require.NoError(t, err)
	c, mine := s.entry(t.Context(), streamKey{testTenant, "slow"}, slow) // a compile under way
	require.True(t, mine)

	fast, err := s.get(t.Context(), testTenant, "fast", "text")
	require.NoError(t, err, "another stream does not wait")
	require.NotNil(t, fast.patterns)

	got := make(chan *Stream)
	go func() {
		st, err := s.get(context.Background(), testTenant, "slow", "text")
		if err != nil {
			st = nil
		}
		got <- st
	}()
	select {
	case <-got:
		t.Fatal("a batch of the stream did not wait for its compile")
	case <-time.After(20 * time.Millisecond):
	}
	c.stream, c.err = fast, nil // whatever the compile gave is what every waiter gets
	close(c.done)
	require.Same(t, fast, <-got)

}

// TestStreamsForgetDeletedStreams keeps the compiled streams within twice the streams the
// directory has, however many come and go.
func TestStreamsForgetDeletedStreams(t *testing.T) {
	dir := newFaultDirectory(t)
	s := newStreams(dir, sourcetype.Builtin())
	const live = 10
	for round := range 50 {
		var cfgs []tenant.StreamConfig
		for i := range live {
			cfgs = append(cfgs, tenant.StreamConfig{Name: fmt.Sprintf("s%d-%d", round, i), SourceType: "text",
				Parser: map[string]any{"patterns": []any{"^%{WORD:a}$"}}})
		}
		dir.set(t, cfgs...)
		for _, c := range cfgs {
			st, err := s.get(t.Context(), testTenant, c.Name, "text")
			require.NoError(t, err)
			require.NotNil(t, st.patterns)
		}
	}
	s.mu.Lock()
	n := len(s.compiled)
	s.mu.Unlock()
	require.LessOrEqual(t, n, max(minSweep, 2*live)+live, "500 streams came and went")

	_, err := s.get(t.Context(), testTenant, "s49-0", "text")
	require.NoError(t, err)
	dir.set(t)
	_, err = s.get(t.Context(), testTenant, "s49-0", "text")
	require.NoError(t, err, "a deleted stream's late batch is parsed by its source type")
	s.mu.Lock()
	_, kept := s.compiled[streamKey{testTenant, "s49-0"}]
	s.mu.Unlock()
	require.False(t, kept, "forgotten once the directory no longer has it")
}

// TestRunHoldsRawBatchWhileDirectoryFails waits out a directory that cannot answer, then
// parses the batch with its stream's settings: nothing is parsed without its redaction,
// and nothing is dead-lettered for an outage.
func TestRunHoldsRawBatchWhileDirectoryFails(t *testing.T) {
	dir := newFaultDirectory(t, tenant.StreamConfig{Name: testStream, SourceType: "text",
		Parser: map[string]any{"pipeline": []any{map[string]any{"redact": map[string]any{"builtins": []any{"email"}}}}}})
	dir.failures, dir.err = 3, errors.New("connection refused")
	q := newFaultQueue(t, rawMessage(t, newBatch("text", text, []byte("from bob@example.com"))))
	p := New(testConfig, q, dir, nil, nil)
	require.NoError(t, run(t, p))

	published, acked, nacked := q.snapshot()
	require.Len(t, published, 1)
	require.Equal(t, []string{"acme/web"}, acked)
	require.Empty(t, nacked)
	require.Empty(t, q.rejects())
	require.Equal(t, float64(3), testutil.ToFloat64(p.metrics.directoryErrors))
	events := decodeEvents(t, published[0]).GetEvents()
	require.Len(t, events, 1)
	require.NotContains(t, string(events[0].GetSource()), "bob@example.com", "redacted by the stream's pipeline")
}

// TestRunNacksWhenStoppedWhileDirectoryFails gives the batch back, not to the dead letters.
func TestRunNacksWhenStoppedWhileDirectoryFails(t *testing.T) {
	dir := newFaultDirectory(t, tenant.StreamConfig{Name: testStream, SourceType: "text"})
	dir.failures, dir.err = 1<<30, errors.New("connection refused")
	q := newFaultQueue(t, rawMessage(t, newBatch("text", text, []byte("a"))))
	p := New(testConfig, q, dir, nil, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	require.NoError(t, p.Run(ctx))

	published, acked, nacked := q.snapshot()
	require.Empty(t, published)
	require.Empty(t, acked)
	require.Equal(t, []string{"acme/web"}, nacked)
	require.Empty(t, q.rejects())
}
