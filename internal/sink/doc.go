// Package sink holds what the layers that write the events topic somewhere (the indexer,
// the archiver, and the alerting engine to come) share about failing writes: each tenant's
// failures are retried with backoff on their own, so that one tenant's broken index or
// directory never holds another's; a batch that keeps failing is given up to the dead
// letters; and a sink whose every write has failed for a while reports itself not ready.
package sink
