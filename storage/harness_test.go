package storage_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/storage"
)

// scriptQueue is a scripted stand-in for the queue: each Receive hands the archiver exactly
// the step a test sends next, and queue.ErrClosed once the test seals it, so that a test
// with an injected clock knows what the archiver has seen. The archiver runs on the real
// in-process queue in memory_queue_test.go.
type scriptQueue struct {
	steps chan step
}

type step struct {
	ds  []*queue.Delivery
	err error
}

func (q *scriptQueue) Declare(_ context.Context, topic string, groups ...string) error {
	if topic != queue.TopicEvents || !slices.Equal(groups, []string{queue.GroupArchiver}) {
		return fmt.Errorf("declare %s %v: %w", topic, groups, queue.ErrUnknownTopic)
	}
	return nil
}

func (q *scriptQueue) Publish(context.Context, string, ...queue.Message) error {
	return errors.New("the archiver does not publish")
}

func (q *scriptQueue) Subscribe(_ context.Context, topic, group string) (queue.Consumer, error) {
	if topic != queue.TopicEvents || group != queue.GroupArchiver {
		return nil, queue.ErrUnknownTopic
	}
	return q, nil
}

func (q *scriptQueue) Receive(ctx context.Context, _ int) ([]*queue.Delivery, error) {
	select {
	case s, ok := <-q.steps:
		if !ok {
			return nil, queue.ErrClosed
		}
		return s.ds, s.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// DeadLetters has none: the recorder keeps what the archiver rejects.
func (q *scriptQueue) DeadLetters(context.Context, int) ([]queue.DeadLetter, error) { return nil, nil }

func (q *scriptQueue) Close() error { return nil }

// recorder is the Acknowledger of the test deliveries. At each Ack it checks that every
// document of the delivery is already in the bucket.
type recorder struct {
	bucket storage.Bucket

	mu         sync.Mutex
	docs       map[uint64][]string
	acks       map[uint64]int
	nacks      map[uint64]int
	rejects    map[uint64]string // the reason of each reject
	violations []string
	settled    chan uint64
	seen       map[string]bool // chunks counted in have
	have       map[string]int
	nextTag    atomic.Uint64
}

func newRecorder(b storage.Bucket) *recorder {
	return &recorder{
		bucket:  b,
		docs:    map[uint64][]string{},
		acks:    map[uint64]int{},
		nacks:   map[uint64]int{},
		rejects: map[uint64]string{},
		settled: make(chan uint64, 1024),
		seen:    map[string]bool{},
		have:    map[string]int{},
	}
}

func (r *recorder) Ack(tag uint64) error {
	have, err := r.archivedDocs()
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.violations = append(r.violations, err.Error())
	}
	for _, d := range r.docs[tag] {
		if have[d] == 0 {
			r.violations = append(r.violations, fmt.Sprintf("delivery %d acked before %s was archived", tag, d))
		}
	}
	r.acks[tag]++
	r.settled <- tag
	return nil
}

// archivedDocs counts the documents in the bucket. Chunk keys are unique, so each
// chunk is read once.
func (r *recorder) archivedDocs() (map[string]int, error) {
	ctx := context.Background()
	r.mu.Lock()
	defer r.mu.Unlock()
	for key, err := range r.bucket.List(ctx, "") {
		if err != nil {
			return nil, err
		}
		if r.seen[key] {
			continue
		}
		data, err := r.bucket.Get(ctx, key)
		if err != nil {
			return nil, err
		}
		docs, err := storage.ReadChunk(data)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			r.have[string(d)]++
		}
		r.seen[key] = true
	}
	return r.have, nil
}

func (r *recorder) Nack(tag uint64, _ error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nacks[tag]++
	r.settled <- tag
	return nil
}

func (r *recorder) Reject(tag uint64, cause error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.rejects[tag]; ok {
		r.violations = append(r.violations, fmt.Sprintf("delivery %d rejected twice", tag))
	}
	r.rejects[tag] = cause.Error()
	r.settled <- tag
	return nil
}

// delivery wraps an event batch; the recorder expects docs at its ack.
func (r *recorder) delivery(t *testing.T, batch *trollyv1.EventBatch, attempt int) *queue.Delivery {
	body, err := proto.Marshal(batch)
	require.NoError(t, err)
	var docs []string
	for _, ev := range batch.GetEvents() {
		if len(ev.GetSource()) > 0 {
			docs = append(docs, string(ev.GetSource()))
		}
	}
	return r.raw(body, attempt, docs)
}

// raw returns a delivery of body whose ack requires docs in the archive.
func (r *recorder) raw(body []byte, attempt int, docs []string) *queue.Delivery {
	tag := r.nextTag.Add(1)
	r.mu.Lock()
	r.docs[tag] = docs
	r.mu.Unlock()
	return queue.NewDelivery(queue.Message{Key: "test", Body: body}, attempt, r, tag)
}

// rejected returns a delivery of batch that the archiver must reject.
func (r *recorder) rejected(t *testing.T, batch *trollyv1.EventBatch) *queue.Delivery {
	body, err := proto.Marshal(batch)
	require.NoError(t, err)
	return r.raw(body, 1, nil)
}

func (r *recorder) counts() (acks, nacks map[uint64]int, violations []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.acks), maps.Clone(r.nacks), slices.Clone(r.violations)
}

// rejections returns the reason of each rejected delivery, by tag.
func (r *recorder) rejections() map[uint64]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.rejects)
}

// waitSettled waits for n acks, nacks or rejects.
func (r *recorder) waitSettled(t *testing.T, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	for range n {
		select {
		case <-r.settled:
		case <-ctx.Done():
			t.Fatalf("deliveries not settled: %v", ctx.Err())
		}
	}
}

// harness runs one archiver against a scriptQueue.
type harness struct {
	q      *scriptQueue
	rec    *recorder
	bucket storage.Bucket
	reg    *prometheus.Registry
	cancel context.CancelFunc
	done   chan error
}

func startArchiver(t *testing.T, cfg storage.ArchiverConfig, b storage.Bucket, now func() time.Time) *harness {
	h := &harness{
		q:      &scriptQueue{steps: make(chan step)},
		rec:    newRecorder(b),
		bucket: b,
		reg:    prometheus.NewRegistry(),
		done:   make(chan error, 1),
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	h.cancel = cancel
	t.Cleanup(cancel)
	a := storage.NewArchiver(cfg, h.q, b, nil, h.reg, now)
	go func() { h.done <- a.Run(ctx) }()
	return h
}

func (h *harness) send(t *testing.T, ds ...*queue.Delivery) {
	t.Helper()
	select {
	case h.q.steps <- step{ds: ds}:
	case err := <-h.done:
		t.Fatalf("archiver stopped: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("archiver does not receive")
	}
}

// sync returns once the archiver has handled everything sent before: each empty step
// is taken only after the loop took the previous one.
func (h *harness) sync(t *testing.T) {
	t.Helper()
	h.send(t)
	h.send(t)
}

// sealAndWait closes the script, as a sealed and drained topic does, and returns Run's
// result.
func (h *harness) sealAndWait(t *testing.T) error {
	t.Helper()
	close(h.q.steps)
	return h.wait(t)
}

func (h *harness) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-h.done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("archiver did not return")
		return nil
	}
}

// metric returns the value of a counter or gauge with the given labels, or 0.
func (h *harness) metric(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	families, err := h.reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			match := true
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, l := range m.GetLabel() {
					found = found || (l.GetName() == labels[i] && l.GetValue() == labels[i+1])
				}
				match = match && found
			}
			if !match {
				continue
			}
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}
