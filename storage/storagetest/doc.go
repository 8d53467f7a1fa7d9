// Package storagetest is the conformance suite of storage.Bucket: every backend runs Run
// against a fresh, empty bucket per test.
package storagetest
