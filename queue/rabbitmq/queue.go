package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/trolly-logs/trolly/queue"
)

var (
	// ErrUnavailable is returned while the broker cannot be reached, or did not confirm
	// in time; the caller may retry later (the gateway answers 503 with Retry-After).
	ErrUnavailable = errors.New("rabbitmq unavailable")
	// ErrUnroutable is returned by Publish for messages that the broker could route to no
	// queue: the topic has no group, or queues were deleted behind the backend's back (the
	// next Publish declares them again).
	ErrUnroutable = errors.New("message unroutable: no queue bound for it")
	// ErrUnknownDelivery is returned by Ack, Nack and Reject for a delivery that this
	// consumer does not hold: already settled, or given back when the consumer closed.
	ErrUnknownDelivery = errors.New("unknown or already settled delivery")
	// ErrStaleDelivery is returned when settling a delivery whose channel was lost with the
	// connection: the broker delivers it again.
	ErrStaleDelivery = errors.New("delivery of a lost channel; the broker redelivers it")
)

// Options are the collaborators of a Queue.
type Options struct {
	// Logger receives reconnections and topology mismatches; nil discards them.
	Logger *slog.Logger
	// Registerer registers the metrics; nil does not register them.
	Registerer prometheus.Registerer
	// KeyMaxBytes is the byte limit of a key's queues on keyed topics (the wiring gives
	// a tenant's limit to keys "<tenant>/<stream>"); nil, or a result <= 0, means
	// Config.MaxBytes.
	KeyMaxBytes func(key string) int64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Queue is the RabbitMQ backend of queue.Queue. It needs no Seal: the broker keeps what
// was published across restarts of every process.
type Queue struct {
	cfg     Config
	opts    Options
	log     *slog.Logger
	metrics *metrics
	names   names
	link    *link
	topo    *topology
	pubs    *pool

	// ctx ends on Close, stopping every goroutine.
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu       sync.Mutex
	topics   map[string]*topic
	declared map[string]string // name: entity kind, for cleanup
	closed   bool
}

var (
	_ queue.Queue   = (*Queue)(nil)
	_ queue.Durable = (*Queue)(nil)
)

// Durable reports that the broker keeps what it confirmed across restarts of the process.
func (q *Queue) Durable() bool { return true }

// New connects to the broker and declares the dead-letter queue. Zero fields of cfg take
// their defaults. It fails, wrapping ErrUnavailable, when the broker cannot be reached:
// once connected, a Queue reconnects by itself.
func New(cfg Config, opts Options) (*Queue, error) {
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("rabbitmq queue config: %w", err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	q := &Queue{
		cfg: cfg, opts: opts, log: opts.Logger.With("component", "queue"),
		metrics: newMetrics(opts.Registerer), names: names{cfg.Prefix},
		topics: map[string]*topic{}, declared: map[string]string{},
	}
	q.ctx, q.stop = context.WithCancel(context.Background())
	l, err := newLink(cfg, q.log, q.metrics)
	if err != nil {
		return nil, fmt.Errorf("rabbitmq queue: %w", err)
	}
	q.link = l
	l.restore = q.restore
	q.topo = q.newTopology(func() (*amqp.Channel, error) {
		conn, _, err := l.current()
		if err != nil {
			return nil, err
		}
		return conn.Channel()
	})
	q.pubs = &pool{link: l}
	if err := l.start(); err != nil {
		q.stop()
		return nil, fmt.Errorf("rabbitmq queue: %w", err)
	}
	return q, nil
}

func (q *Queue) newTopology(open func() (*amqp.Channel, error)) *topology {
	return &topology{open: open, log: q.log, declared: q.track}
}

func (q *Queue) track(kind, name string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.declared[name] = kind
}

// restore declares what the queue knows on a new connection, before anything uses it.
// Key queues are declared again by their first use.
func (q *Queue) restore(conn *amqp.Connection) error {
	tp := q.newTopology(conn.Channel)
	defer tp.close()
	if err := tp.queue(q.names.dead(), q.deadArgs()); err != nil {
		return err
	}
	q.mu.Lock()
	topics := make([]*topic, 0, len(q.topics))
	for _, t := range q.topics {
		topics = append(topics, t)
	}
	q.mu.Unlock()
	var errs []error
	for _, t := range topics {
		err := q.declareTopic(tp, t)
		if err == nil && !t.keyed {
			err = q.declareGroups(tp, t, t.groupList())
		}
		if errors.Is(err, ErrUnavailable) {
			return err
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Declare creates topic and its groups if they do not exist. On a keyed topic, a group
// declared here receives every message published after Declare returns, whichever
// process publishes it.
func (q *Queue) Declare(ctx context.Context, name string, groups ...string) error {
	if err := q.check(ctx); err != nil {
		return fmt.Errorf("declare %s: %w", name, err)
	}
	if name == "" {
		return errors.New("declare: empty topic name")
	}
	if slices.Contains(groups, "") {
		return fmt.Errorf("declare %s: empty group name", name)
	}
	t := q.topic(name)
	if err := q.declareTopic(q.topo, t); err != nil {
		return fmt.Errorf("declare %s: %w", name, err)
	}
	if t.keyed {
		t.reg.start()
	}
	var err error
	if t.keyed {
		err = q.declareKeyedGroups(ctx, t, groups)
	} else {
		err = q.declareGroups(q.topo, t, groups)
	}
	if err != nil {
		return fmt.Errorf("declare %s: %w", name, err)
	}
	return nil
}

// topic returns the state of a topic, created if needed.
func (q *Queue) topic(name string) *topic {
	q.mu.Lock()
	defer q.mu.Unlock()
	if t := q.topics[name]; t != nil {
		return t
	}
	t := newTopic(name, q.names.exchange(name), q.cfg.keyed(name))
	if t.keyed {
		t.reg = newRegistry(q, t)
	}
	q.topics[name] = t
	return t
}

// spawn runs f in a goroutine that Close waits for; false once closed.
func (q *Queue) spawn(f func()) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		f()
	}()
	return true
}

func (q *Queue) declareTopic(tp *topology, t *topic) error {
	if !t.keyed {
		return tp.exchange(t.exchange, amqp.ExchangeFanout)
	}
	if err := tp.exchange(t.exchange, amqp.ExchangeDirect); err != nil {
		return err
	}
	return tp.queue(t.reg.name, q.registryArgs())
}

// declareGroups declares the queue of each group of an unkeyed topic.
func (q *Queue) declareGroups(tp *topology, t *topic, groups []string) error {
	for _, g := range groups {
		name := q.names.groupQueue(t.name, g)
		if err := tp.queue(name, q.queueArgs(q.cfg.MaxBytes, false)); err != nil {
			return err
		}
		if err := tp.bind(name, "", t.exchange); err != nil {
			return err
		}
		t.learnGroup(g, -1)
	}
	return nil
}

// check fails once the queue is closed or ctx ended.
func (q *Queue) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return queue.ErrClosed
	}
	return nil
}

// lookup returns a topic declared here or, failing that, by another process.
func (q *Queue) lookup(ctx context.Context, name string) (*topic, error) {
	if err := q.check(ctx); err != nil {
		return nil, err
	}
	q.mu.Lock()
	t := q.topics[name]
	q.mu.Unlock()
	if t != nil {
		return t, nil
	}
	exists, err := q.topo.exchangeExists(q.names.exchange(name))
	if err == nil && exists && q.cfg.keyed(name) {
		exists, err = q.topo.queueExists(q.names.registry(name))
	}
	switch {
	case err != nil:
		return nil, err
	case !exists:
		return nil, queue.ErrUnknownTopic
	}
	t = q.topic(name)
	if t.keyed {
		t.reg.start()
	}
	return t, nil
}

// Subscribe joins group on topic. The consumer starts taking messages from the broker at
// its first Receive, so that a consumer that never receives holds nothing back.
func (q *Queue) Subscribe(ctx context.Context, name, group string) (queue.Consumer, error) {
	t, err := q.lookup(ctx, name)
	if err == nil && !t.hasGroup(group) {
		err = q.findGroup(ctx, t, group)
	}
	if err != nil {
		return nil, fmt.Errorf("subscribe to %s/%s: %w", name, group, err)
	}
	return q.newConsumer(t, group), nil
}

// findGroup learns a group declared by another process, or fails with ErrUnknownTopic.
func (q *Queue) findGroup(ctx context.Context, t *topic, group string) error {
	if t.keyed {
		if _, err := t.reg.append(ctx, record{kind: recordSync}); err != nil {
			return err
		}
	} else {
		exists, err := q.topo.queueExists(q.names.groupQueue(t.name, group))
		if err != nil {
			return err
		}
		if exists {
			t.learnGroup(group, -1)
		}
	}
	if !t.hasGroup(group) {
		return queue.ErrUnknownTopic
	}
	return nil
}

// Close closes every consumer, giving their unacknowledged deliveries back to the broker,
// and the connection; blocked calls return queue.ErrClosed. It may be called more than
// once.
func (q *Queue) Close() error {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.stop()
	q.wg.Wait()
	q.topo.close()
	q.pubs.close()
	q.link.close()
	return nil
}

// maxBytes is the byte limit of a key's queues.
func (q *Queue) maxBytes(t *topic, key string) int64 {
	if t.keyed && q.opts.KeyMaxBytes != nil {
		if n := q.opts.KeyMaxBytes(key); n > 0 {
			return n
		}
	}
	return q.cfg.MaxBytes
}
