// Package queue is the durable queue between Trolly's layers. The gateway publishes raw
// batches on the "raw" topic; the processor publishes event batches on the "events" topic,
// which every sink (indexer, archiver, alerting) consumes in its own group.
//
// The interface lives here; backends are children (queue/memory, ...) and all pass the
// conformance suite in queue/queuetest.
package queue
