package memory

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trolly-logs/trolly/queue"
)

// entry is one published message, shared by every group of its topic.
type entry struct {
	msg  queue.Message
	size int64
	part int
	seq  uint64 // publish order in the topic: returned deliveries are put back by it
	refs int    // groups that have not acknowledged it yet
}

// topic holds its groups' partitions; one lock guards all of them, so that Publish is
// all or nothing across groups and the byte count is exact.
type topic struct {
	name       string
	maxBytes   int64
	partitions int
	metrics    *metrics
	dead       *deadStore
	backlog    *atomic.Int64 // the queue's, which t.bytes is part of
	tenants    *tenants      // the queue's, which t.bytes is part of too
	bytesGauge prometheus.Gauge
	published  prometheus.Counter
	rejected   prometheus.Counter

	mu     sync.Mutex
	groups []*group
	bytes  int64 // bodies not yet acknowledged by every group
	seq    uint64
	sealed bool
	closed bool
}

func newTopic(name string, cfg Config, m *metrics, dead *deadStore, backlog *atomic.Int64, ts *tenants) *topic {
	return &topic{
		name:       name,
		maxBytes:   cfg.MaxBytes,
		partitions: cfg.Partitions,
		metrics:    m,
		dead:       dead,
		backlog:    backlog,
		tenants:    ts,
		bytesGauge: m.bytes.WithLabelValues(name),
		published:  m.published.WithLabelValues(name),
		rejected:   m.rejectedFull.WithLabelValues(name),
	}
}

func (t *topic) declare(names []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, name := range names {
		if t.group(name) == nil {
			t.groups = append(t.groups, newGroup(t.name, name, t.partitions, t.metrics))
		}
	}
}

func (t *topic) group(name string) *group {
	for _, g := range t.groups {
		if g.name == name {
			return g
		}
	}
	return nil
}

func (t *topic) subscribe(name string) (*consumer, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, queue.ErrClosed
	}
	g := t.group(name)
	if g == nil {
		return nil, queue.ErrUnknownTopic
	}
	return &consumer{t: t, g: g, inflight: map[uint64]flight{}}, nil
}

func (t *topic) admit(b batchSize) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.checkLocked(b)
}

func (t *topic) checkLocked(b batchSize) error {
	switch {
	case t.closed:
		return queue.ErrClosed
	case t.sealed:
		return fmt.Errorf("topic sealed: %w", queue.ErrClosed)
	case b.largest > t.maxBytes:
		t.rejected.Add(float64(b.count))
		return fmt.Errorf("message of %d bytes exceeds max_bytes %d: %w", b.largest, t.maxBytes, ErrTooLarge)
	case b.total > t.maxBytes:
		t.rejected.Add(float64(b.count))
		return fmt.Errorf("%d messages of %d bytes together exceed max_bytes %d: %w",
			b.count, b.total, t.maxBytes, ErrTooLarge)
	case t.bytes+b.total > t.maxBytes:
		t.rejected.Add(float64(b.count))
		return fmt.Errorf("%d bytes held, %d more exceed max_bytes %d: %w",
			t.bytes, b.total, t.maxBytes, queue.ErrFull)
	}
	return nil
}

// enqueue checks b again, since the lock was released while es was copied, and stores es.
func (t *topic) enqueue(es []entry, b batchSize) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.checkLocked(b); err != nil {
		return err
	}
	for i := range es {
		e := &es[i]
		t.seq++
		e.seq = t.seq
		e.refs = len(t.groups)
		for _, g := range t.groups {
			g.push(e)
		}
	}
	if len(t.groups) > 0 {
		for i := range es {
			t.tenants.add(es[i].msg.Key, es[i].size)
		}
		t.bytes += b.total
		t.backlog.Add(b.total)
		t.bytesGauge.Set(float64(t.bytes))
	}
	t.published.Add(float64(len(es)))
	for _, g := range t.groups {
		g.updateDepth()
		g.broadcast()
	}
	return nil
}

// unrefLocked records that one more group acknowledged e.
func (t *topic) unrefLocked(e *entry) {
	e.refs--
	if e.refs > 0 {
		return
	}
	t.bytes -= e.size
	t.backlog.Add(-e.size)
	t.tenants.add(e.msg.Key, -e.size)
	e.msg.Body = nil // deliveries keep their own reference; this one would pin the body
	t.bytesGauge.Set(float64(t.bytes))
}

func (t *topic) seal() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sealed = true
	for _, g := range t.groups {
		g.broadcast()
	}
}

func (t *topic) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for _, g := range t.groups {
		g.parts = nil // consumers keep the topic alive; let the messages go
		g.broadcast()
	}
}
