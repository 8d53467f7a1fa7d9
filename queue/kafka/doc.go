// Package kafka is the queue backend on Apache Kafka or Redpanda, through franz-go. It is
// the production choice when the layers run as separate processes and the queue must scale
// out; tests run it on franz-go's in-process kfake cluster, and the same code talks to Kafka
// or Redpanda (see Config for TLS and SASL).
//
// Names. A queue topic T is the Kafka topic "<prefix>.T"; a queue group G of T is the Kafka
// consumer group "<prefix>.T.G", so that a group belongs to one topic as in queue.Queue.
// Dead letters go to "<prefix>.dead" (one partition, so they read oldest first) with their
// reason, origin and attempt in headers; DeadLetters reads them from the offsets of the
// group "<prefix>.dead-reader" and commits what it returns.
//
// Publishing. Records are keyed by Message.Key, so one key stays in one partition and in
// order; the producer is idempotent with acks=all, and Publish returns once the broker
// acknowledged every record of the call. Kafka never refuses a write, but a group that lags
// beyond retention loses data: Publish therefore refuses with queue.ErrFull while the
// slowest group declared in this Queue lags more than max_lag_bytes, an estimate from the
// group's committed offsets (see lag.go).
//
// Consuming. Each consumer is a franz-go group member with manual commits and
// BlockRebalanceOnPoll. Deliveries may be acknowledged out of order; per partition only the
// offset below the oldest unsettled delivery is committed, every commit_interval, when
// partitions are revoked and when the consumer closes. A revoke drops what the consumer held
// on those partitions: later acks of those deliveries are ignored (never committed), and the
// new owner receives them again from the committed offset.
//
// Nack keeps the record in the consumer and delivers it again before anything newer of its
// partition, without seeking the Kafka consumer or republishing: the record stays
// uncommitted, so its partition's commits wait for it, a crash redelivers it from Kafka, and
// the order of its key is kept. Attempt counts the deliveries of a record made by this Queue
// (any of its consumers) since the group last committed past it; a record redelivered by
// another process, after a crash or a rebalance, starts again at 1, since Kafka keeps no
// delivery count.
package kafka
