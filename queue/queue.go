package queue

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Topics of the data path.
const (
	TopicRaw    = "raw"
	TopicEvents = "events"
)

// Consumer groups: one on the raw topic, one per sink on the events topic.
const (
	GroupProcessor = "processor"
	GroupIndexer   = "indexer"
	GroupArchiver  = "archiver"
)

var (
	// ErrFull is returned by Publish when the topic has no room; the caller may retry later
	// (the gateway answers 503 with Retry-After). As with any Publish error, part of a
	// multi-message call may have been stored.
	ErrFull = errors.New("queue full")
	// ErrClosed is returned once the queue is closed, and by Receive once a sealed topic
	// has nothing left for the group.
	ErrClosed = errors.New("queue closed")
	// ErrTooLarge is returned by Publish for messages that can never fit, however empty the
	// topic: retrying cannot help, and it means a limit is configured too small.
	ErrTooLarge = errors.New("message too large for the queue")
	// ErrUnknownTopic is returned for a topic or group that was not declared.
	ErrUnknownTopic = errors.New("unknown topic or group")
)

// Message is what is published.
type Message struct {
	// Key orders messages: a group receives the messages of one key in publish order.
	// The data path uses "<tenant>/<stream>".
	Key  string
	Body []byte
}

// Queue is a topic-based queue with consumer groups: every group of a topic receives every
// message, and the consumers of one group share its messages.
type Queue interface {
	// Declare creates topic and its consumer groups if they do not exist. Messages
	// published after Declare are kept for every declared group, subscribed or not.
	Declare(ctx context.Context, topic string, groups ...string) error
	// Publish returns once the queue has confirmed every message (stored it durably, for
	// backends that can). On error the caller must assume none was stored and may retry;
	// consumers tolerate duplicates because event ids are idempotent.
	Publish(ctx context.Context, topic string, msgs ...Message) error
	// Subscribe joins group on topic.
	Subscribe(ctx context.Context, topic, group string) (Consumer, error)
	// DeadLetters removes and returns up to max dead letters, oldest first. Having none is
	// not an error.
	DeadLetters(ctx context.Context, max int) ([]DeadLetter, error)
	// Close releases the queue; blocked calls return ErrClosed.
	Close() error
}

// Consumer receives a group's messages. Every delivery must be acknowledged or rejected;
// unacknowledged deliveries are redelivered once the consumer closes.
type Consumer interface {
	// Receive blocks until at least one delivery is ready and returns up to max of them.
	// It returns ctx.Err() when ctx ends, and ErrClosed when the queue is closed or the
	// topic is sealed and drained for this consumer (see Sealer).
	Receive(ctx context.Context, max int) ([]*Delivery, error)
	// Close leaves the group; its unacknowledged deliveries go back to the group.
	Close() error
}

// Sealer is implemented by backends that can be drained: after Seal, Publish on topic
// fails with ErrClosed, and Receive returns ErrClosed once nothing more can come to the
// caller: the group has nothing pending and nothing in flight but the caller's own
// deliveries. A consumer that batches (holding deliveries until its output is durable) is
// told so at once and must then settle what it holds; on a queue that is not durable it
// must not Nack it, since nobody would receive it again. The in-process backend needs this
// to stop without losing what it holds.
type Sealer interface {
	Seal(topic string)
}

// Durable is implemented by backends that keep what they confirmed when the process stops,
// by a crash too: what was not acknowledged is delivered again after the next start. A
// backend that does not implement it loses what it holds when the process ends.
type Durable interface {
	Durable() bool
}

// IsDurable reports whether q keeps what it confirmed across a stop of the process.
func IsDurable(q Queue) bool {
	d, ok := q.(Durable)
	return ok && d.Durable()
}

// Backlog is what a queue holds that some group has not acknowledged yet, against the
// budget past which the edge stops taking input.
type Backlog struct {
	Bytes, Budget int64
}

// Over reports whether adding n bytes would take the backlog past its budget.
func (b Backlog) Over(n int64) bool { return b.Budget > 0 && b.Bytes+n > b.Budget }

// Backlogger is implemented by backends that know their backlog and have a budget for it
// (a property of their config): the gateway answers 503 with Retry-After once the
// backlog passes it, rather than accepting what the sinks cannot keep up with.
type Backlogger interface {
	Backlog() Backlog
}

// TenantBacklogger is implemented by backends that know each tenant's share of the
// backlog, from the keys of the data path ("<tenant>/<stream>", see TenantOf), and have a
// budget per tenant: the gateway answers that tenant 429 with Retry-After once its share
// passes it, so that one tenant's flood does not fill the backlog that all share.
type TenantBacklogger interface {
	// TenantBacklog returns the bytes of tenant's messages that some group has not
	// acknowledged yet, and the queue's budget per tenant.
	TenantBacklog(tenant string) Backlog
}

// DefaultTenantBudget is the per-tenant budget of a backlog whose total budget is total,
// when none is configured: a quarter of it, so that no tenant can take the whole, but at
// least 192 MiB (what a healthy archiver may hold of one tenant's events by default, 128
// MiB, plus room for large batches) and at most the total.
func DefaultTenantBudget(total int64) int64 {
	return min(max(total/4, 192<<20), total)
}

// TenantOf returns the tenant of a message key of the data path: what comes before its
// first '/', or the whole key when it has none.
func TenantOf(key string) string {
	tenant, _, _ := strings.Cut(key, "/")
	return tenant
}

// Acknowledger settles deliveries; backends implement it.
type Acknowledger interface {
	Ack(tag uint64) error
	// Nack returns the delivery to its group for redelivery; cause says why.
	Nack(tag uint64, cause error) error
	// Reject moves the delivery to the dead letters with cause as its reason; it is never
	// redelivered.
	Reject(tag uint64, cause error) error
}

// DeadLetter is a message taken out of the data path because it can never be processed,
// kept with the reason so that an operator can inspect it and send it again.
type DeadLetter struct {
	Message
	Topic, Group string
	// Attempt is the delivery that was rejected (1 for the first).
	Attempt int
	// Reason is the cause given to Reject.
	Reason string
	// At is when it was rejected.
	At time.Time
}

// Delivery is one received message.
type Delivery struct {
	Message
	// Attempt is 1 on the first delivery and grows with each redelivery.
	Attempt int

	acker Acknowledger
	tag   uint64
}

// NewDelivery is for backends: tag identifies the delivery to acker.
func NewDelivery(m Message, attempt int, acker Acknowledger, tag uint64) *Delivery {
	return &Delivery{Message: m, Attempt: attempt, acker: acker, tag: tag}
}

// Ack confirms that the delivery is processed and its output durable.
func (d *Delivery) Ack() error { return d.acker.Ack(d.tag) }

// Nack asks for the delivery to be redelivered; cause says why. It is for failures that
// may pass (a store that is down), not for input that can never be processed: Reject that.
func (d *Delivery) Nack(cause error) error { return d.acker.Nack(d.tag, cause) }

// Reject moves the delivery to the dead letters, with cause as its reason.
func (d *Delivery) Reject(cause error) error { return d.acker.Reject(d.tag, cause) }
