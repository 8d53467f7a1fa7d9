package search

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/tenant"
)

var jan31 = time.Date(2024, 1, 31, 23, 59, 0, 0, time.UTC)

func TestIndexerGroupsByIndex(t *testing.T) {
	q, b := testQueue(t), &fakeBackend{}
	reg := prometheus.NewPedanticRegistry()
	ix := NewIndexer(IndexerConfig{BatchSize: 2}, q, b, testDirectory(t), nil, reg)
	claimsOther := event("a3", jan31)
	claimsOther.Source = []byte(`{"message":"m","organization":{"id":"acme-corp"}}`)
	publish(t, q,
		batch(t, "acme", event("a1", jan31), event("a2", jan31.Add(2*time.Minute))),
		batch(t, "acme-corp", event("c1", jan31), event("c2", jan31.AddDate(0, 0, 15))),
		batch(t, "acme", claimsOther),
	)
	drain(t, q, ix)
	require.Equal(t, map[string][]string{
		"trolly-acme-2024.01.31":   {"a1", "a3"},
		"trolly-acme-2024.02.01":   {"a2"},
		"trolly-acme-corp-2024.01": {"c1"},
		"trolly-acme-corp-2024.02": {"c2"},
	}, sorted(b.ids()), "the tenant comes from the batch, never from the event")
	require.Equal(t, 3.0, testutil.ToFloat64(ix.m.indexed.WithLabelValues("acme")))
	require.Equal(t, 2.0, testutil.ToFloat64(ix.m.indexed.WithLabelValues("acme-corp")))
	doc := b.docs["trolly-acme-2024.02.01"]["a2"]
	require.True(t, jan31.Add(2*time.Minute).Equal(doc.Timestamp))
	require.JSONEq(t, string(event("a2", jan31.Add(2*time.Minute)).Source), string(doc.Source))
	require.Equal(t, map[string]int{"ack": 3}, q.counts())
}

// Deliveries that can never be indexed go to the dead letters with their reason, and the
// stream behind them goes on; invalid events of a good batch are dropped, the rest indexed.
func TestIndexerRejectsWhatCannotBeIndexed(t *testing.T) {
	q, b := testQueue(t), &fakeBackend{}
	ix := NewIndexer(IndexerConfig{BatchSize: 2}, q, b, testDirectory(t), nil, nil)
	noID := event("", jan31)
	notJSON := event("bad-json", jan31)
	notJSON.Source = []byte(`{"message":`)
	array := event("array", jan31)
	array.Source = []byte(`["not","an","object"]`)
	poison := []struct {
		body   []byte
		reason string
	}{
		{[]byte("\xff\xff not a protobuf"), "decode event batch: "},
		{batch(t, "globex", event("g1", jan31)), `event batch 01HN8Z of tenant "globex": `},
		{batch(t, "", event("e1", jan31)), `event batch 01HN8Z of tenant "": `},
	}
	for _, p := range poison {
		publish(t, q, p.body)
	}
	publish(t, q, batch(t, "acme", event("ok", jan31), noID, notJSON, array))
	drain(t, q, ix)

	require.Equal(t, map[string][]string{"trolly-acme-2024.01.31": {"ok"}}, b.ids())
	require.Equal(t, map[string]int{"ack": 1, "reject": 3}, q.counts())
	dead, err := q.DeadLetters(testContext(t), 10)
	require.NoError(t, err)
	require.Len(t, dead, len(poison))
	for i, want := range poison {
		require.Equal(t, want.body, dead[i].Body)
		require.Equal(t, "acme/web", dead[i].Key)
		require.Equal(t, queue.TopicEvents, dead[i].Topic)
		require.Equal(t, queue.GroupIndexer, dead[i].Group)
		require.Equal(t, 1, dead[i].Attempt)
		require.Contains(t, dead[i].Reason, want.reason)
	}
	require.Contains(t, dead[1].Reason, tenant.ErrNotFound.Error())
	for reason, want := range map[string]float64{reasonUndecodable: 1, reasonUnknownTenant: 2} {
		require.Equal(t, want, testutil.ToFloat64(ix.m.rejected.WithLabelValues(reason)), reason)
	}
	require.Equal(t, 3.0, testutil.ToFloat64(ix.m.dropped.WithLabelValues(reasonInvalidEvent)))
}

// A failing write is retried while the deliveries are held: never nacked, which would
// inflate their Attempt, and acknowledged once written.
func TestIndexerRetriesFailedWrites(t *testing.T) {
	q, b := testQueue(t), &fakeBackend{failures: 3}
	ix := NewIndexer(IndexerConfig{RetryBackoff: 100 * time.Millisecond, MaxRetryBackoff: 250 * time.Millisecond}, q, b, testDirectory(t), nil, nil)
	w := &waits{}
	ix.wait, ix.now = w.wait, stoppedClock
	publish(t, q, batch(t, "acme", event("a1", jan31), event("a2", jan31)))
	drain(t, q, ix)
	require.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 250 * time.Millisecond}, w.got)
	require.Equal(t, map[string][]string{"trolly-acme-2024.01.31": {"a1", "a2"}}, sorted(b.ids()), "written once")
	require.Equal(t, map[string]int{"trolly-acme-2024.01.31": 4}, b.writes)
	require.Equal(t, 3.0, testutil.ToFloat64(ix.m.writeErrors))
	require.Equal(t, map[string]int{"ack": 1}, q.counts(), "held through the failures, not nacked")
}

// Only the index whose write failed is written again.
func TestIndexerRetriesOnlyTheFailedIndex(t *testing.T) {
	q := testQueue(t)
	b := &fakeBackend{failures: 2, failIndex: "trolly-acme-2024.02.01"}
	ix := NewIndexer(IndexerConfig{}, q, b, testDirectory(t), nil, nil)
	w := &waits{}
	ix.wait = w.wait
	publish(t, q, batch(t, "acme", event("a1", jan31), event("a2", jan31.Add(time.Hour))))
	drain(t, q, ix)
	require.Equal(t, map[string]int{"trolly-acme-2024.01.31": 1, "trolly-acme-2024.02.01": 3}, b.writes)
	require.Len(t, w.got, 2)
	require.Equal(t, map[string]int{"ack": 1}, q.counts())
}

// flakyDirectory fails its first lookups as a database would while it restarts.
type flakyDirectory struct {
	tenant.Directory
	failures int
}

func (d *flakyDirectory) Tenant(ctx context.Context, id string) (tenant.Tenant, error) {
	if d.failures > 0 {
		d.failures--
		return tenant.Tenant{}, errors.New("directory unavailable")
	}
	return d.Directory.Tenant(ctx, id)
}

func TestIndexerRetriesDirectoryErrors(t *testing.T) {
	q, b := testQueue(t), &fakeBackend{}
	ix := NewIndexer(IndexerConfig{}, q, b, &flakyDirectory{Directory: testDirectory(t), failures: 2}, nil, nil)
	w := &waits{}
	ix.wait = w.wait
	publish(t, q, batch(t, "acme", event("a1", jan31)), batch(t, "acme-corp", event("c1", jan31)))
	drain(t, q, ix)
	require.Len(t, w.got, 2)
	require.Equal(t, map[string][]string{
		"trolly-acme-2024.01.31":   {"a1"},
		"trolly-acme-corp-2024.01": {"c1"},
	}, b.ids(), "nothing is dropped")
	require.Equal(t, map[string]int{"ack": 2}, q.counts(), "held through the failures, not nacked")
}

// Cancelling Run while it backs off returns nil and nacks the deliveries it holds.
func TestIndexerStopsWhileRetrying(t *testing.T) {
	q := testQueue(t)
	down := &fakeBackend{failures: 1 << 30}
	ix := NewIndexer(IndexerConfig{RetryBackoff: time.Hour}, q, down, testDirectory(t), nil, nil)
	ctx, cancel := context.WithCancel(testContext(t))
	publish(t, q, batch(t, "acme", event("a1", jan31)))
	done := make(chan error, 1)
	go func() { done <- ix.Run(ctx) }()
	require.Eventually(t, func() bool { return testutil.ToFloat64(ix.m.writeErrors) > 0 }, 10*time.Second, time.Millisecond,
		"the indexer never tried to write")
	cancel()
	require.NoError(t, <-done)
	require.Equal(t, map[string]int{"nack": 1}, q.counts(), "a stop returns what it holds")

	up := &fakeBackend{}
	drain(t, q, NewIndexer(IndexerConfig{}, q, up, testDirectory(t), nil, nil))
	require.Equal(t, map[string][]string{"trolly-acme-2024.01.31": {"a1"}}, up.ids())
	require.Equal(t, map[string]int{"nack": 1, "ack": 1}, q.counts())
}

func TestIndexerStopsOnCancel(t *testing.T) {
	q := testQueue(t)
	ix := NewIndexer(IndexerConfig{}, q, &fakeBackend{}, testDirectory(t), nil, nil)
	ctx, cancel := context.WithCancel(testContext(t))
	done := make(chan error, 1)
	go func() { done <- ix.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-testContext(t).Done():
		require.FailNow(t, "Run did not return")
	}
}

func TestIndexerStopsWhenQueueCloses(t *testing.T) {
	q := testQueue(t)
	require.NoError(t, q.Close())
	ix := NewIndexer(IndexerConfig{}, q, &fakeBackend{}, testDirectory(t), nil, nil)
	require.NoError(t, ix.Run(testContext(t)))
}

func TestIndexerRejectsBadConfig(t *testing.T) {
	ix := NewIndexer(IndexerConfig{BatchSize: -1}, testQueue(t), &fakeBackend{}, testDirectory(t), nil, nil)
	require.ErrorContains(t, ix.Run(testContext(t)), "batch_size")
}

// sorted orders the ids of each index.
func sorted(m map[string][]string) map[string][]string {
	for _, ids := range m {
		slices.Sort(ids)
	}
	return m
}
