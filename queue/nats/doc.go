// Package nats is the NATS JetStream backend of queue.Queue (nats.go's jetstream API). It
// talks to a NATS cluster (Config.URL), or runs a NATS server inside the process
// (Config.Embedded) whose file store lives under the data directory, for `trolly all`.
//
// Each topic is a stream "<prefix>_<topic>" with discard-new at max_bytes, which Publish
// reports as queue.ErrFull, that keeps a message until every group acknowledged it: by
// interest retention on a cluster; on the embedded server, whose file store writes a
// record per message that interest removes, by limits, trimmed each second below the
// lowest ack floor of the stream's consumers (see trim). A message is stored under the subject "<prefix>.<topic>.k<key>", the
// key in unpadded base64url so that any key is one subject token. Each group is a durable
// pull consumer with explicit acks; a delivery's Attempt is the server's delivery count.
//
// Publish sends every message of a call asynchronously and returns once the server
// acknowledged them all: a call costs one round trip, not one per message. With the
// embedded server and fsync "always" (the default), it then waits for a round of syncs of
// the topic's files that began after the acknowledgements, shared by every publisher
// waiting meanwhile (group commit, see syncer): what Publish confirmed survives a crash of
// the process or of the machine. With "interval" the server syncs every two minutes: a
// crash of the process loses nothing, one of the machine may. The embedded server locks
// its directory: a second server on one store would corrupt it.
//
// Nack returns a delivery to its group after nack_delay. Reject publishes the message,
// with its reason, topic, group, key, attempt and time in Trolly-* headers, to the
// work-queue stream "<prefix>_dead", then terminates the delivery; DeadLetters reads that
// stream oldest first and removes what it returns. Closing a consumer, or the queue, gives
// back the deliveries it holds.
//
// Backlog is the bytes of the topics' streams; TenantBacklog splits what some group has
// not acknowledged by the tenant of its key, from the streams and the acknowledgements of
// every process (see tenantBacklog).
package nats
