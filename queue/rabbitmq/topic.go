package rabbitmq

import (
	"sync"
	"time"
)

// topic is what this process knows of a topic: its groups and, when keyed, its keys, as
// declared here or read from the topic's registry.
type topic struct {
	name     string
	exchange string
	keyed    bool
	reg      *registry // keyed topics only

	mu sync.Mutex
	// groups maps each known group to the registry offset of its first record (-1 for
	// groups of unkeyed topics, which have no registry).
	groups map[string]int64
	keys   []string // in the order learned
	keySet map[string]bool
	// seen is when each record was last read from the registry.
	seen map[record]time.Time
	// changed is closed, and replaced, when a key or a group is learned.
	changed chan struct{}
	// ensured is, per key, this process's declaration of its queues.
	ensured map[string]*ensure
}

// ensure is one declaration of a key's queues, shared by concurrent publishers.
type ensure struct {
	gen  uint64 // of the connection it was made on
	done chan struct{}
	err  error
}

func newTopic(name, exchange string, keyed bool) *topic {
	return &topic{
		name: name, exchange: exchange, keyed: keyed,
		groups: map[string]int64{}, keySet: map[string]bool{}, seen: map[record]time.Time{},
		changed: make(chan struct{}), ensured: map[string]*ensure{},
	}
}

func (t *topic) notifyLocked() {
	close(t.changed)
	t.changed = make(chan struct{})
}

// learnGroup records a group first seen at offset; false if it was known.
func (t *topic) learnGroup(group string, offset int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.groups[group]; ok {
		return false
	}
	t.groups[group] = offset
	t.notifyLocked()
	return true
}

// learnKey records a key; false if it was known.
func (t *topic) learnKey(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.keySet[key] {
		return false
	}
	t.keySet[key] = true
	t.keys = append(t.keys, key)
	t.notifyLocked()
	return true
}

func (t *topic) hasGroup(group string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.groups[group]
	return ok
}

// firstOffset is the registry offset of group's first record.
func (t *topic) firstOffset(group string) (int64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	off, ok := t.groups[group]
	return off, ok
}

func (t *topic) hasKey(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.keySet[key]
}

func (t *topic) groupList() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, len(t.groups))
	for g := range t.groups {
		out = append(out, g)
	}
	return out
}

// keysFrom returns the keys learned after the first n, and a channel closed when more
// are learned.
func (t *topic) keysFrom(n int) ([]string, int, <-chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.keys[n:len(t.keys):len(t.keys)], len(t.keys), t.changed
}

func (t *topic) keyCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.keys)
}

// touch records that r was read from the registry at now.
func (t *topic) touch(r record, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seen[r] = now
}

// stale returns the known groups and keys not read from the registry since before.
func (t *topic) stale(before time.Time) []record {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []record
	for g := range t.groups {
		if r := (record{recordGroup, g}); t.seen[r].Before(before) {
			out = append(out, r)
		}
	}
	for _, k := range t.keys {
		if r := (record{recordKey, k}); t.seen[r].Before(before) {
			out = append(out, r)
		}
	}
	return out
}

// forget drops the declarations of the topic's keys, so that the next Publish of each
// declares its queues again.
func (t *topic) forget() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.ensured)
}
