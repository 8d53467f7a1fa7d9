// Package rabbitmq is the RabbitMQ backend of queue.Queue (amqp091-go), for deployments
// whose layers run in separate processes. It owns the broker topology of a deployment:
// every name starts with Config.Prefix.
//
// An unkeyed topic (events) is a fanout exchange with one durable queue per group. A keyed
// topic (raw) is a direct exchange with one durable queue per (group, key), bound by the
// key, so that each tenant stream has its own byte limit (Options.KeyMaxBytes) and a full
// stream never blocks another. Every queue refuses publishes past its limit
// (reject-publish), which Publish reports as queue.ErrFull; publisher confirms make
// Publish return only once the broker stored every message.
//
// Consumers learn the keys of a keyed topic, whichever process published them first, from
// the topic's registry: a stream queue, read from its start by every process, in which
// Declare announces groups and the first Publish of a key in a process announces the key
// (see registry).
//
// Redeliveries are counted by the broker on quorum queues (x-delivery-count); on classic
// queues a Nack publishes the message again with its next attempt in a header. Reject
// moves a delivery to the dead-letter queue "<prefix>.dead", with the reason, topic,
// group, key, attempt and time in x-trolly-* headers.
//
// A lost connection is opened again with capped backoff; the topology is declared again
// and consumers resume. Meanwhile Publish fails at once with ErrUnavailable, and
// deliveries received before the loss cannot be settled: the broker delivers them again.
package rabbitmq
