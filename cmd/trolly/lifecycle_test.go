package main

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
)

// sealQueue is a queue that records Seal and says whether it is durable; the rest of
// queue.Queue is not used by the lifecycle.
type sealQueue struct {
	queue.Queue
	durable bool

	mu     sync.Mutex
	sealed map[string]chan struct{}
}

func (q *sealQueue) Durable() bool { return q.durable }

func (q *sealQueue) Seal(topic string) { close(q.sealedCh(topic)) }

func (q *sealQueue) sealedCh(topic string) chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.sealed == nil {
		q.sealed = map[string]chan struct{}{}
	}
	if q.sealed[topic] == nil {
		q.sealed[topic] = make(chan struct{})
	}
	return q.sealed[topic]
}

// consumer runs until ctx ends, or until topic is sealed and then for drain more.
func (q *sealQueue) consumer(topic string, drain time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		select {
		case <-ctx.Done():
			return nil
		case <-q.sealedCh(topic):
		}
		select {
		case <-ctx.Done():
		case <-time.After(drain):
		}
		return nil
	}
}

func untilDone(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

// TestStopStages stops the stages of `trolly all` with a queue that drains in time or not:
// a durable queue keeps what is left, so only the in-memory one makes a stop cut short a
// failure; the stages that do not drain (the API) never count against the deadline.
func TestStopStages(t *testing.T) {
	tests := []struct {
		name    string
		durable bool
		drain   time.Duration // of the sinks, once sealed
		ok      bool
		log     string
	}{
		{"drained", true, 0, true, "stopped with the queue drained"},
		{"drained in memory", false, 0, true, "stopped with the queue drained"},
		{"cut short", true, time.Hour, true, "left in the queue for the next start"},
		{"cut short in memory", false, time.Hour, false, "the in-memory queue loses what it held"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := &sealQueue{durable: tc.durable}
			edge := &stage{name: "edge"}
			edge.add("gateway", untilDone)
			sinks := &stage{name: "sinks", seal: []string{queue.TopicEvents}}
			sinks.add("indexer", q.consumer(queue.TopicEvents, tc.drain))
			serving := &stage{name: "serving"}
			serving.add("api", func(ctx context.Context) error {
				<-ctx.Done()
				time.Sleep(100 * time.Millisecond) // its shutdown ends after the deadline
				return nil
			})
			stages := []*stage{edge, sinks, serving}
			failed := make(chan error, 1)
			for _, s := range stages {
				s.start(failed)
			}
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			done := make(chan bool, 1)
			go func() { done <- stopStages(stages, q, 200*time.Millisecond, true, log) }()
			select {
			case ok := <-done:
				require.Equal(t, tc.ok, ok, logs.String())
			case <-time.After(30 * time.Second):
				t.Fatal("the stages did not stop: a stage cut short must be cancelled")
			}
			require.Contains(t, logs.String(), tc.log)
			require.Empty(t, failed)
		})
	}
}
