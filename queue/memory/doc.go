// Package memory is the bounded in-process queue backend, the embedded default of
// "trolly all". It keeps topics, consumer groups and per-key order in memory and answers a
// full topic with queue.ErrFull instead of growing without bound. Nothing survives the
// process: Seal lets it drain what it holds before it stops.
//
// Each group of a topic has a fixed number of FIFO partitions and a message goes to the
// partition of its key. A consumer that holds unacknowledged deliveries of a partition holds
// the partition, so one key is processed in order even by concurrent consumers.
package memory
