package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/trolly-logs/trolly/queue"
)

// maxTopicName is Kafka's limit on topic names.
const maxTopicName = 249

// ErrUnknownDelivery is returned by Ack, Nack and Reject for a delivery that its consumer
// does not hold: already settled, or from another consumer.
var ErrUnknownDelivery = errors.New("unknown or already settled delivery")

// Queue is the Kafka backend of queue.Queue. It does not implement queue.Sealer: Kafka
// keeps what is published, so a stopping process has nothing to drain.
type Queue struct {
	cfg      Config
	log      *slog.Logger
	metrics  *metrics
	opts     []kgo.Opt   // of every client
	cl       *kgo.Client // producer, and admin through adm
	adm      *kadm.Client
	attempts *attempts
	now      func() time.Time

	ctx    context.Context // ends with Close, for work not tied to a call
	cancel context.CancelFunc
	wg     sync.WaitGroup // background lag refreshes

	dead deadLetters

	mu        sync.Mutex
	topics    map[string]*topic
	consumers map[*consumer]struct{}
	closed    bool
}

var (
	_ queue.Queue   = (*Queue)(nil)
	_ queue.Durable = (*Queue)(nil)
)

// Durable reports that Kafka keeps what it confirmed across restarts of the process.
func (q *Queue) Durable() bool { return true }

// topic is what this Queue knows of a topic it declared.
type topic struct {
	name, ktopic string
	lag          lagEstimate
	refreshMu    sync.Mutex // one lag refresh at a time

	mu         sync.Mutex
	groups     []string // declared through this Queue; their lag bounds Publish
	refreshing bool     // a background refresh runs
}

// New returns a queue on the cluster of cfg. Zero fields of cfg take their defaults. It
// does not connect yet: the first call that needs the brokers does. Metrics are registered
// on reg (nil: not registered).
func New(cfg Config, logger *slog.Logger, reg prometheus.Registerer) (*Queue, error) {
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("kafka queue config: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "queue")
	opts, err := cfg.clientOptions(logger)
	if err != nil {
		return nil, fmt.Errorf("kafka queue config: %w", err)
	}
	cl, err := kgo.NewClient(append(slices.Clone(opts), cfg.producerOptions()...)...)
	if err != nil {
		return nil, fmt.Errorf("create kafka client: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	q := &Queue{
		cfg: cfg, log: logger, metrics: newMetrics(reg), opts: opts,
		cl: cl, adm: kadm.NewClient(cl), attempts: newAttempts(), now: time.Now,
		ctx: ctx, cancel: cancel,
		topics: map[string]*topic{}, consumers: map[*consumer]struct{}{},
	}
	q.dead.ktopic = cfg.Prefix + ".dead"
	q.dead.kgroup = cfg.Prefix + ".dead-reader"
	return q, nil
}

// Declare creates topic (when create_topics allows) and gives each group committed offsets
// at the current end of every partition, unless it has some: the groups keep everything
// published from now on, consumers or not. A group declared on a topic that already holds
// messages receives only those published after it. Publish needs the topic declared in this
// Queue, since the declared groups are those whose lag bounds it.
func (q *Queue) Declare(ctx context.Context, name string, groups ...string) error {
	if err := q.checkNames(name, groups); err != nil {
		return fmt.Errorf("declare %s: %w", name, err)
	}
	if err := q.usable(ctx); err != nil {
		return fmt.Errorf("declare %s: %w", name, err)
	}
	ktopic := q.ktopic(name)
	if err := q.ensureTopic(ctx, ktopic, int32(q.cfg.Partitions)); err != nil {
		return fmt.Errorf("declare %s: %w", name, err)
	}
	for _, g := range groups {
		if err := q.ensureGroup(ctx, ktopic, q.kgroup(name, g)); err != nil {
			return fmt.Errorf("declare %s: %w", name, err)
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	t := q.topics[name]
	if t == nil {
		t = &topic{name: name, ktopic: ktopic, lag: lagEstimate{max: q.cfg.MaxLagBytes}}
		q.topics[name] = t
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, g := range groups {
		if !slices.Contains(t.groups, g) {
			t.groups = append(t.groups, g)
		}
	}
	return nil
}

func (q *Queue) checkNames(name string, groups []string) error {
	kt := q.ktopic(name)
	if name == "" || !legalName.MatchString(name) || len(kt) > maxTopicName {
		return fmt.Errorf("topic name %q: want a-z A-Z 0-9 . _ - and at most %d characters with the prefix", name, maxTopicName)
	}
	if slices.Contains(groups, "") {
		return errors.New("empty group name")
	}
	return nil
}

// Subscribe joins group on topic. The group must have been declared (by any process):
// Subscribe checks that it has committed offsets on the topic.
func (q *Queue) Subscribe(ctx context.Context, name, group string) (queue.Consumer, error) {
	if err := q.usable(ctx); err != nil {
		return nil, fmt.Errorf("subscribe to %s/%s: %w", name, group, err)
	}
	ok, err := q.groupDeclared(ctx, q.ktopic(name), q.kgroup(name, group))
	if err != nil {
		return nil, fmt.Errorf("subscribe to %s/%s: %w", name, group, err)
	}
	if !ok {
		return nil, fmt.Errorf("subscribe to %s/%s: group has no offsets on the topic, declare it first: %w",
			name, group, queue.ErrUnknownTopic)
	}
	c, err := q.newConsumer(name, group)
	if err != nil {
		return nil, fmt.Errorf("subscribe to %s/%s: %w", name, group, err)
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		_ = c.Close()
		return nil, fmt.Errorf("subscribe to %s/%s: %w", name, group, queue.ErrClosed)
	}
	q.consumers[c] = struct{}{}
	q.mu.Unlock()
	return c, nil
}

// Close closes every consumer (each commits what was acknowledged and leaves its group)
// and the producer; blocked calls return queue.ErrClosed. It may be called more than once.
func (q *Queue) Close() error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	consumers := make([]*consumer, 0, len(q.consumers))
	for c := range q.consumers {
		consumers = append(consumers, c)
	}
	q.mu.Unlock()
	// In parallel: each commits and leaves its group, which waits on the brokers.
	errs := make([]error, len(consumers))
	var wg sync.WaitGroup
	for i, c := range consumers {
		wg.Go(func() { errs[i] = c.Close() })
	}
	wg.Wait()
	q.cancel()
	q.wg.Wait()
	q.cl.Close()
	return errors.Join(errs...)
}

func (q *Queue) forget(c *consumer) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.consumers, c)
}

// usable fails once the queue is closed or ctx ended.
func (q *Queue) usable(ctx context.Context) error {
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

func (q *Queue) lookup(name string) (*topic, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil, queue.ErrClosed
	}
	t := q.topics[name]
	if t == nil {
		return nil, fmt.Errorf("topic not declared in this process: %w", queue.ErrUnknownTopic)
	}
	return t, nil
}

func (q *Queue) ktopic(name string) string        { return q.cfg.Prefix + "." + name }
func (q *Queue) kgroup(name, group string) string { return q.cfg.Prefix + "." + name + "." + group }

func (t *topic) declaredGroups() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.groups)
}
