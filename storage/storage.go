package storage

import (
	"context"
	"errors"
	"iter"
)

// ErrNotFound is returned for a key the bucket does not hold.
var ErrNotFound = errors.New("object not found")

// Bucket is an object store. Keys are slash-separated paths without a leading slash.
type Bucket interface {
	// Put stores data at key, replacing what was there. It returns once the object is
	// durable; readers never see a partial object.
	Put(ctx context.Context, key string, data []byte) error
	// Get returns the object at key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// List yields the keys that start with prefix, in lexical order.
	List(ctx context.Context, prefix string) iter.Seq2[string, error]
	// Delete removes the object at key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
}
