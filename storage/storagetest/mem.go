package storagetest

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"

	"github.com/trolly-logs/trolly/storage"
)

// MemBucket is a storage.Bucket in memory, for the tests of packages that use a bucket.
// It passes the conformance suite.
type MemBucket struct {
	mu      sync.Mutex
	objects map[string][]byte
}

var _ storage.Bucket = (*MemBucket)(nil)

// NewMemBucket returns an empty MemBucket.
func NewMemBucket() *MemBucket {
	return &MemBucket{objects: make(map[string][]byte)}
}

// Put stores a copy of data.
func (m *MemBucket) Put(ctx context.Context, key string, data []byte) error {
	if err := storage.ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[key] = slices.Clone(data)
	return nil
}

// Get returns a copy of the object.
func (m *MemBucket) Get(ctx context.Context, key string) ([]byte, error) {
	if err := storage.ValidateKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.objects[key]
	if !ok {
		return nil, fmt.Errorf("get %s: %w", key, storage.ErrNotFound)
	}
	return slices.Clone(data), nil
}

// List yields a snapshot of the keys under prefix.
func (m *MemBucket) List(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := storage.ValidatePrefix(prefix); err != nil {
			yield("", err)
			return
		}
		if err := ctx.Err(); err != nil {
			yield("", err)
			return
		}
		m.mu.Lock()
		var keys []string
		for k := range m.objects {
			if strings.HasPrefix(k, prefix) {
				keys = append(keys, k)
			}
		}
		m.mu.Unlock()
		slices.Sort(keys)
		for _, k := range keys {
			if !yield(k, nil) {
				return
			}
		}
	}
}

// Delete removes the object if it exists.
func (m *MemBucket) Delete(ctx context.Context, key string) error {
	if err := storage.ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objects, key)
	return nil
}

// Len returns the number of objects.
func (m *MemBucket) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.objects)
}
