package rabbitmq

import (
	"context"
	"errors"
	"fmt"
)

// DeclareKey declares the queues of key on a keyed topic, for every group, and announces
// it to the consumers, as the first Publish of the key would: the API calls it when a
// tenant stream is created, so that the stream's queue exists before its first batch.
func (q *Queue) DeclareKey(ctx context.Context, topic, key string) error {
	t, err := q.lookup(ctx, topic)
	if err == nil && !t.keyed {
		err = errors.New("not a keyed topic")
	}
	if err == nil {
		err = q.ensureKey(ctx, t, key)
	}
	if err != nil {
		return fmt.Errorf("declare key %q of %s: %w", key, topic, err)
	}
	return nil
}

// declareKeyedGroups announces groups in the topic's registry and, for each group
// announced here first, declares the queue of every key announced before it. Keys
// announced after it declare their own queue for the group (see registry).
func (q *Queue) declareKeyedGroups(ctx context.Context, t *topic, groups []string) error {
	if len(groups) == 0 {
		return nil
	}
	recs := make([]record, len(groups))
	for i, g := range groups {
		recs[i] = record{kind: recordGroup, name: g}
	}
	offsets, err := t.reg.append(ctx, recs...)
	if err != nil {
		return err
	}
	keys, _, _ := t.keysFrom(0)
	for i, g := range groups {
		if first, _ := t.firstOffset(g); first != offsets[i] {
			continue
		}
		for _, k := range keys {
			if err := q.declareKeyQueue(t, g, k); err != nil {
				return err
			}
		}
	}
	return nil
}

// declareKeyQueue declares the queue of (group, key) with the key's limit.
func (q *Queue) declareKeyQueue(t *topic, group, key string) error {
	name := q.names.keyQueue(t.name, group, key)
	if err := q.topo.queue(name, q.queueArgs(q.maxBytes(t, key), q.cfg.SingleActiveConsumer)); err != nil {
		return err
	}
	return q.topo.bind(name, routingKey(key), t.exchange)
}

// ensureKey declares the queues of key for every known group, once per connection: the
// first publisher of a key in this process declares, concurrent ones wait for it.
func (q *Queue) ensureKey(ctx context.Context, t *topic, key string) error {
	_, gen, err := q.link.current()
	if err != nil {
		return err
	}
	t.mu.Lock()
	e := t.ensured[key]
	if e != nil && e.gen == gen {
		t.mu.Unlock()
		select {
		case <-e.done:
			return e.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	e = &ensure{gen: gen, done: make(chan struct{})}
	t.ensured[key] = e
	t.mu.Unlock()

	e.err = q.declareKey(ctx, t, key)
	close(e.done)
	if e.err != nil {
		t.mu.Lock()
		if t.ensured[key] == e {
			delete(t.ensured, key)
		}
		t.mu.Unlock()
	}
	return e.err
}

// declareKey announces a key new to this process, then declares its queues for every
// group announced before it.
func (q *Queue) declareKey(ctx context.Context, t *topic, key string) error {
	if !t.hasKey(key) {
		if _, err := t.reg.append(ctx, record{kind: recordKey, name: key}); err != nil {
			return err
		}
	}
	for _, g := range t.groupList() {
		if err := q.declareKeyQueue(t, g, key); err != nil {
			return err
		}
	}
	return nil
}

// consumeKeyQueue makes sure the queue of (group, key) exists before a consumer takes it:
// its publisher declared it, with the key's limit, unless this consumer came first.
func (q *Queue) consumeKeyQueue(t *topic, group, key string) (string, error) {
	name := q.names.keyQueue(t.name, group, key)
	exists, err := q.topo.queueExists(name)
	if err == nil && !exists {
		err = q.declareKeyQueue(t, group, key)
	}
	return name, err
}
