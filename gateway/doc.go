// Package gateway is the ingest edge: it authenticates shippers, resolves their tenant and
// stream from the credential and the path, applies limits, and publishes raw batches on the
// queue, answering only once the queue has confirmed them.
package gateway
