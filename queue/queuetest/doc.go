// Package queuetest is the conformance suite of queue.Queue. Every backend calls Run from
// its tests, so all of them keep the promises of the interface: every group receives every
// message, each key in publish order, unacknowledged deliveries come back, a full topic
// refuses a whole Publish, and closing and sealing end consumers cleanly.
//
// The suite checks only what the interface promises, never one backend's internals.
package queuetest
