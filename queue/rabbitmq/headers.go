package rabbitmq

import (
	"fmt"
	"math"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/trolly-logs/trolly/queue"
)

// Headers of the messages this backend publishes.
const (
	hdrKey        = "x-trolly-key"
	hdrAttempt    = "x-trolly-attempt"
	hdrReason     = "x-trolly-reason"
	hdrTopic      = "x-trolly-topic"
	hdrGroup      = "x-trolly-group"
	hdrRejectedAt = "x-trolly-rejected-at"
	// hdrDeliveryCount is set by quorum queues on every redelivery.
	hdrDeliveryCount = "x-delivery-count"
	// hdrStreamOffset is set by stream queues on every delivery.
	hdrStreamOffset = "x-stream-offset"
)

// maxAttempt keeps a forged header from overflowing Attempt.
const maxAttempt = 1 << 30

// keyOf is the message key of a delivery: its header, else the routing key (a message
// published by another client).
func keyOf(h amqp.Table, routingKey string) string {
	if k, ok := h[hdrKey].(string); ok {
		return k
	}
	return routingKey
}

// attemptOf is 1 on a first delivery. The broker counts redeliveries in x-delivery-count
// (quorum queues); classic queues only flag a redelivery, so a Nack there republishes the
// message with its next attempt in x-trolly-attempt.
func attemptOf(h amqp.Table, redelivered bool) int {
	attempt, ok := integer(h[hdrAttempt])
	if !ok || attempt < 1 {
		attempt = 1
	}
	if n, ok := integer(h[hdrDeliveryCount]); ok && n > 0 {
		attempt += n
	} else if redelivered {
		attempt++
	}
	return int(min(attempt, maxAttempt))
}

// integer reads an AMQP field of any integer type, clamped so that adding two cannot
// overflow.
func integer(v any) (int64, bool) {
	var n int64
	switch v := v.(type) {
	case int8:
		n = int64(v)
	case int16:
		n = int64(v)
	case int32:
		n = int64(v)
	case int64:
		n = v
	case int:
		n = int64(v)
	case uint8:
		n = int64(v)
	case uint16:
		n = int64(v)
	case uint32:
		n = int64(v)
	default:
		return 0, false
	}
	return min(max(n, math.MinInt32), maxAttempt), true
}

// deadHeaders describe a rejected delivery.
func deadHeaders(l queue.DeadLetter) amqp.Table {
	return amqp.Table{
		hdrKey:        l.Key,
		hdrReason:     l.Reason,
		hdrTopic:      l.Topic,
		hdrGroup:      l.Group,
		hdrAttempt:    int64(l.Attempt),
		hdrRejectedAt: l.At.UTC().Format(time.RFC3339Nano),
	}
}

// deadLetterOf reads a dead letter back; missing headers leave their fields empty, so that
// an operator still sees what a foreign client put in the queue.
func deadLetterOf(h amqp.Table, body []byte) queue.DeadLetter {
	l := queue.DeadLetter{Message: queue.Message{Body: body}}
	l.Key, _ = h[hdrKey].(string)
	l.Reason, _ = h[hdrReason].(string)
	l.Topic, _ = h[hdrTopic].(string)
	l.Group, _ = h[hdrGroup].(string)
	if n, ok := integer(h[hdrAttempt]); ok && n > 0 {
		l.Attempt = int(n)
	}
	if s, ok := h[hdrRejectedAt].(string); ok {
		if at, err := time.Parse(time.RFC3339Nano, s); err == nil {
			l.At = at
		}
	}
	return l
}

// Kinds of registry records.
const (
	recordGroup = "group"
	recordKey   = "key"
	// recordSync carries nothing: reading it back tells a process it has read everything
	// appended before it.
	recordSync = "sync"
)

// maxRecordName bounds a name read from the registry.
const maxRecordName = 64 << 10

// record is one entry of a keyed topic's registry stream: its type says the kind, its
// body the name.
type record struct {
	kind, name string
}

func (r record) publishing(id string) amqp.Publishing {
	return amqp.Publishing{Type: r.kind, Body: []byte(r.name), MessageId: id, DeliveryMode: amqp.Persistent}
}

func decodeRecord(kind string, body []byte) (record, error) {
	switch kind {
	case recordSync:
		return record{kind: kind}, nil
	case recordGroup, recordKey:
	default:
		return record{}, fmt.Errorf("unknown record type %q", kind)
	}
	if len(body) == 0 || len(body) > maxRecordName {
		return record{}, fmt.Errorf("invalid %s name of %d bytes", kind, len(body))
	}
	return record{kind: kind, name: string(body)}, nil
}
