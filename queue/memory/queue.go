package memory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trolly-logs/trolly/queue"
)

var (
	// ErrTooLarge is returned by Publish for a message, or a call, whose bodies exceed
	// max_bytes on their own: unlike queue.ErrFull, a retry cannot succeed. It wraps
	// queue.ErrTooLarge.
	ErrTooLarge = fmt.Errorf("larger than max_bytes: %w", queue.ErrTooLarge)
	// ErrUnknownDelivery is returned by Ack and Nack for a delivery that this consumer
	// does not hold: already settled, or returned to the group when the consumer closed.
	ErrUnknownDelivery = errors.New("unknown or already settled delivery")
)

// Queue is the bounded in-process backend; it implements queue.Queue and queue.Sealer.
type Queue struct {
	cfg     Config
	seed    maphash.Seed
	metrics *metrics

	dead *deadStore
	// backlog is the sum of the topics' bytes, for Backlog without their locks.
	backlog *atomic.Int64
	// tenants splits the backlog by tenant, for TenantBacklog.
	tenants *tenants

	mu     sync.RWMutex
	topics map[string]*topic
	closed bool
}

var (
	_ queue.Queue            = (*Queue)(nil)
	_ queue.Sealer           = (*Queue)(nil)
	_ queue.Backlogger       = (*Queue)(nil)
	_ queue.TenantBacklogger = (*Queue)(nil)
)

// New returns an empty queue. Zero fields of cfg take their defaults. Metrics are
// registered on reg (nil: not registered), so one registerer serves one Queue.
func New(cfg Config, reg prometheus.Registerer) (*Queue, error) {
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("memory queue config: %w", err)
	}
	backlog := &atomic.Int64{}
	m := newMetrics(reg, cfg.MaxBacklogBytes, backlog)
	ts := newTenants()
	queue.RegisterTenantBacklog(reg, cfg.MaxTenantBacklogBytes, ts.snapshot)
	return &Queue{
		cfg:     cfg,
		seed:    maphash.MakeSeed(),
		metrics: m,
		dead:    &deadStore{max: cfg.MaxDeadLetters, metrics: m},
		backlog: backlog,
		tenants: ts,
		topics:  map[string]*topic{},
	}, nil
}

// Backlog returns the bytes held until every group acknowledged them, all topics
// together, and the budget max_backlog_bytes.
func (q *Queue) Backlog() queue.Backlog {
	return queue.Backlog{Bytes: q.backlog.Load(), Budget: q.cfg.MaxBacklogBytes}
}

// Declare creates topic and its groups if they do not exist. A group declared on a topic
// that already holds messages receives only those published after it.
func (q *Queue) Declare(ctx context.Context, name string, groups ...string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("declare %s: %w", name, err)
	}
	if name == "" {
		return errors.New("declare: empty topic name")
	}
	if slices.Contains(groups, "") {
		return fmt.Errorf("declare %s: empty group name", name)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return fmt.Errorf("declare %s: %w", name, queue.ErrClosed)
	}
	t := q.topics[name]
	if t == nil {
		t = newTopic(name, q.cfg, q.metrics, q.dead, q.backlog, q.tenants)
		q.topics[name] = t
	}
	t.declare(groups)
	return nil
}

// Publish stores msgs for every group of topic, all or nothing: when their bodies do not
// fit in max_bytes, nothing is stored and the error wraps queue.ErrFull. Publish copies
// each body once, so the caller may reuse its slices on return; every group's deliveries
// share that copy, so consumers must not modify Delivery.Body.
func (q *Queue) Publish(ctx context.Context, name string, msgs ...queue.Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("publish to %s: %w", name, err)
	}
	t, err := q.lookup(name)
	if err != nil {
		return fmt.Errorf("publish to %s: %w", name, err)
	}
	b := measure(msgs)
	// Check before copying, so that a rejected batch under backpressure costs no copy.
	if err := t.admit(b); err != nil {
		return fmt.Errorf("publish to %s: %w", name, err)
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := t.enqueue(q.entries(msgs), b); err != nil {
		return fmt.Errorf("publish to %s: %w", name, err)
	}
	return nil
}

// Subscribe joins group on topic.
func (q *Queue) Subscribe(ctx context.Context, name, group string) (queue.Consumer, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("subscribe to %s/%s: %w", name, group, err)
	}
	t, err := q.lookup(name)
	if err != nil {
		return nil, fmt.Errorf("subscribe to %s/%s: %w", name, group, err)
	}
	c, err := t.subscribe(group)
	if err != nil {
		return nil, fmt.Errorf("subscribe to %s/%s: %w", name, group, err)
	}
	return c, nil
}

// Seal stops publishing on topic: Publish fails with queue.ErrClosed, and Receive returns
// queue.ErrClosed once the group has nothing pending or in flight. Unknown topics are
// ignored.
func (q *Queue) Seal(name string) {
	t, err := q.lookup(name)
	if err != nil {
		return
	}
	t.seal()
}

// Close drops every message and wakes every blocked Receive with queue.ErrClosed. It may
// be called more than once.
func (q *Queue) Close() error {
	q.mu.Lock()
	q.closed = true
	topics := make([]*topic, 0, len(q.topics))
	for _, t := range q.topics {
		topics = append(topics, t)
	}
	q.mu.Unlock()
	for _, t := range topics {
		t.close()
	}
	return nil
}

func (q *Queue) lookup(name string) (*topic, error) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return nil, queue.ErrClosed
	}
	t := q.topics[name]
	if t == nil {
		return nil, queue.ErrUnknownTopic
	}
	return t, nil
}

// entries copies msgs into one allocation of entries, one body copy each.
func (q *Queue) entries(msgs []queue.Message) []entry {
	es := make([]entry, len(msgs))
	n := uint64(q.cfg.Partitions)
	for i, m := range msgs {
		es[i] = entry{
			msg:  queue.Message{Key: m.Key, Body: bytes.Clone(m.Body)},
			size: int64(len(m.Body)),
			part: int(maphash.String(q.seed, m.Key) % n),
		}
	}
	return es
}

// batchSize is what admission needs to know of one Publish call.
type batchSize struct {
	count   int
	total   int64
	largest int64
}

func measure(msgs []queue.Message) batchSize {
	b := batchSize{count: len(msgs)}
	for _, m := range msgs {
		n := int64(len(m.Body))
		b.total += n
		b.largest = max(b.largest, n)
	}
	return b
}
