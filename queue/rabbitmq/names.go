package rabbitmq

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	amqp "github.com/rabbitmq/amqp091-go"
)

// maxNameBytes is the broker's limit on queue, exchange and routing key names.
const maxNameBytes = 255

// hashBytes of a SHA-256 keep a shortened name unique.
const hashBytes = 12

// names derives the broker's names from a prefix. Every component is escaped, so that
// distinct (topic, group, key) never share a name: "<p>.<topic>" is the topic's exchange,
// "<p>.<topic>.<group>" a group queue, "<p>.<topic>.<group>.<key>" a key queue,
// "<p>.<topic>.%registry" the registry of a keyed topic (an escaped component never reads
// "%registry") and "<p>.dead" the dead letters.
type names struct{ prefix string }

func (n names) exchange(topic string) string {
	return fit(n.prefix + "." + escape(topic))
}

func (n names) groupQueue(topic, group string) string {
	return fit(n.prefix + "." + escape(topic) + "." + escape(group))
}

func (n names) keyQueue(topic, group, key string) string {
	return fit(n.prefix + "." + escape(topic) + "." + escape(group) + "." + escape(key))
}

func (n names) registry(topic string) string {
	return fit(n.prefix + "." + escape(topic) + ".%registry")
}

func (n names) dead() string { return n.prefix + ".dead" }

// routingKey is key itself unless the broker cannot take it as a name.
func routingKey(key string) string { return fit(escape(key)) }

// escape keeps the separator '.' out of a name component, and control characters and
// invalid UTF-8 out of the broker's names.
func escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '.' || r == '%' || r < 0x20 || r == 0x7f || (r == utf8.RuneError && size == 1) {
			fmt.Fprintf(&b, "%%%02X", s[i])
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	if !utf8.ValidString(s) || strings.ContainsAny(s, ".%\x7f") {
		return true
	}
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 }) >= 0
}

// fit shortens a name longer than the broker allows, ending it with a hash of the whole.
func fit(name string) string {
	if len(name) <= maxNameBytes {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	head := name[:maxNameBytes-1-2*hashBytes]
	for len(head) > 0 && !utf8.ValidString(head) {
		head = head[:len(head)-1]
	}
	return head + "~" + hex.EncodeToString(sum[:hashBytes])
}

// Arguments of the queues. Numbers are always int64: the broker compares the type too
// when a queue is declared again.
func (q *Queue) queueArgs(maxBytes int64, singleActive bool) amqp.Table {
	args := q.typeArgs(maxBytes, "reject-publish")
	if singleActive {
		args["x-single-active-consumer"] = true
	}
	return args
}

func (q *Queue) typeArgs(maxBytes int64, overflow string) amqp.Table {
	args := amqp.Table{
		"x-queue-type":       q.cfg.QueueType,
		"x-max-length-bytes": maxBytes,
		"x-overflow":         overflow,
	}
	if q.cfg.QueueType == QueueQuorum {
		args["x-delivery-limit"] = int64(deliveryLimit)
	}
	return args
}

// deliveryLimit overrides the limit of quorum queues past which RabbitMQ 4 drops a
// message (20 by default): poison input is for the consumer to Reject, never to vanish.
const deliveryLimit = 1 << 30

// deadArgs bound the dead letters too, dropping the oldest: refusing a dead letter would
// leave its message redelivered forever.
func (q *Queue) deadArgs() amqp.Table {
	return q.typeArgs(q.cfg.MaxBytes, "drop-head")
}

// registryArgs make a stream that keeps about eight segments, since retention drops whole
// segments.
func (q *Queue) registryArgs() amqp.Table {
	return amqp.Table{
		"x-queue-type":                    "stream",
		"x-max-length-bytes":              q.cfg.RegistryMaxBytes,
		"x-stream-max-segment-size-bytes": max(q.cfg.RegistryMaxBytes/8, 64<<10),
	}
}
