package search

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/sink"
	"github.com/trolly-logs/trolly/queue"
)

// A tenant whose index cannot be written is retried alone: the other tenant's batches are
// indexed meanwhile, and the failing one is finally dead-lettered with its reason.
func TestIndexerIsolatesAFailingTenant(t *testing.T) {
	q := testQueue(t)
	b := &fakeBackend{failures: 1 << 30, failIndex: "trolly-acme-2024.01.31"}
	reg := prometheus.NewRegistry()
	cfg := IndexerConfig{RetryBackoff: time.Millisecond, MaxRetryBackoff: 2 * time.Millisecond,
		Policy: sink.Policy{DeadLetterAttempts: 3}}
	ix := NewIndexer(cfg, q, b, testDirectory(t), nil, reg)
	ctx, cancel := context.WithCancel(testContext(t))
	done := make(chan error, 1)
	go func() { done <- ix.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	publish(t, q, batch(t, "acme", event("a1", jan31)))
	publish(t, q, batch(t, "acme-corp", event("c1", jan31)), batch(t, "acme-corp", event("c2", jan31)))
	require.Eventually(t, func() bool { return len(b.ids()["trolly-acme-corp-2024.01"]) == 2 },
		10*time.Second, time.Millisecond, "the other tenant's batches are indexed while acme's fails")

	var dead []queue.DeadLetter
	require.Eventually(t, func() bool {
		got, err := q.DeadLetters(ctx, 10)
		require.NoError(t, err)
		dead = append(dead, got...)
		return len(dead) > 0
	}, 10*time.Second, time.Millisecond, "acme's batch is dead-lettered")
	require.Len(t, dead, 1)
	require.Equal(t, queue.GroupIndexer, dead[0].Group)
	require.Contains(t, dead[0].Reason, "tenant acme: gave up after 3 failed writes")
	require.Contains(t, dead[0].Reason, errBackendDown.Error())
	require.Equal(t, 3, b.writeCount("trolly-acme-2024.01.31"), "retried until given up, then left alone")
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP trolly_sink_dead_lettered_total Batches a sink gave up on after dead_letter_attempts or dead_letter_age, moved to the dead letters.
# TYPE trolly_sink_dead_lettered_total counter
trolly_sink_dead_lettered_total{sink="indexer",tenant="acme"} 1
# HELP trolly_sink_write_failures_total Failed writes of a tenant's batch by a sink; each is retried with backoff, the other tenants going on.
# TYPE trolly_sink_write_failures_total counter
trolly_sink_write_failures_total{sink="indexer",tenant="acme"} 3
`), "trolly_sink_write_failures_total", "trolly_sink_dead_lettered_total"))
	require.NoError(t, ix.Ready(), "one failing tenant leaves the indexer ready")

	// acme is known broken: its next batch is given up at its first failure.
	publish(t, q, batch(t, "acme", event("a2", jan31)))
	require.Eventually(t, func() bool {
		got, err := q.DeadLetters(ctx, 10)
		require.NoError(t, err)
		dead = append(dead, got...)
		return len(dead) > 1
	}, 10*time.Second, time.Millisecond, "acme's next batch is dead-lettered")
	require.Contains(t, dead[1].Reason, "tenant acme: gave up after 1 failed writes")
}

// When every write fails the store is down: the batches are held until it is back, never
// dead-lettered, however many attempts it takes.
func TestIndexerWaitsOutAnOutage(t *testing.T) {
	q, b := testQueue(t), &fakeBackend{failures: 5}
	cfg := IndexerConfig{Policy: sink.Policy{DeadLetterAttempts: 1, DeadLetterAge: time.Nanosecond}}
	ix := NewIndexer(cfg, q, b, testDirectory(t), nil, nil)
	w := &waits{}
	ix.wait, ix.now = w.wait, stoppedClock
	publish(t, q, batch(t, "acme", event("a1", jan31)), batch(t, "acme-corp", event("c1", jan31)))
	drain(t, q, ix)
	require.Equal(t, map[string]int{"ack": 2}, q.counts())
	dead, err := q.DeadLetters(testContext(t), 10)
	require.NoError(t, err)
	require.Empty(t, dead)
}
