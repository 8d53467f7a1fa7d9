package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/trolly-logs/trolly/queue"
)

// deadLetters is the dead-letter topic: produced to by Reject, read by DeadLetters with
// a group of its own whose commits mark what was read.
type deadLetters struct {
	ktopic, kgroup string

	readMu sync.Mutex // one reader at a time

	mu    sync.Mutex
	ready bool // the topic is known to exist
}

// ensureDead creates the dead-letter topic once, with one partition so that it reads
// oldest first.
func (q *Queue) ensureDead(ctx context.Context) error {
	q.dead.mu.Lock()
	defer q.dead.mu.Unlock()
	if q.dead.ready {
		return nil
	}
	if err := q.ensureTopic(ctx, q.dead.ktopic, 1); err != nil {
		return err
	}
	q.dead.ready = true
	return nil
}

func (q *Queue) putDeadLetter(ctx context.Context, dl queue.DeadLetter, part int32, off int64) error {
	if err := q.ensureDead(ctx); err != nil {
		return err
	}
	r := encodeDeadLetter(q.dead.ktopic, dl, part, off)
	if err := q.cl.ProduceSync(ctx, r).FirstErr(); err != nil {
		return fmt.Errorf("produce dead letter to %s: %w", q.dead.ktopic, produceError(err))
	}
	return nil
}

// DeadLetters removes and returns up to max dead letters, oldest first (partition by
// partition, should the topic have been created with several). Reading commits them for
// the group "<prefix>.dead-reader": a reader that crashes after the call lost them. Readers
// in different processes at the same moment may both receive a letter.
func (q *Queue) DeadLetters(ctx context.Context, max int) ([]queue.DeadLetter, error) {
	if max < 1 {
		return nil, fmt.Errorf("read dead letters: max must be > 0, got %d", max)
	}
	if err := q.usable(ctx); err != nil {
		return nil, fmt.Errorf("read dead letters: %w", err)
	}
	q.dead.readMu.Lock()
	defer q.dead.readMu.Unlock()
	if err := q.ensureDead(ctx); err != nil {
		if errors.Is(err, queue.ErrUnknownTopic) {
			return nil, nil // never created, so none
		}
		return nil, fmt.Errorf("read dead letters: %w", err)
	}
	quotas, err := q.deadQuotas(ctx, int64(max))
	if err != nil || len(quotas) == 0 {
		return nil, err
	}
	recs, err := q.readDead(ctx, quotas)
	if err != nil {
		return nil, fmt.Errorf("read dead letters: %w", err)
	}
	next := kadm.Offsets{}
	out := make([]queue.DeadLetter, len(recs))
	for i, r := range recs {
		next.AddOffset(r.Topic, r.Partition, r.Offset+1, -1)
		out[i] = decodeDeadLetter(r)
	}
	resps, err := q.adm.CommitOffsets(ctx, q.dead.kgroup, next)
	if err == nil {
		err = resps.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("commit dead letters read: %w", err)
	}
	return out, nil
}

// quota is how many letters to read from a partition, from offset from.
type quota struct {
	from, n int64
}

// deadQuotas shares max among the partitions that hold unread letters, in partition order.
func (q *Queue) deadQuotas(ctx context.Context, max int64) (map[int32]quota, error) {
	committed, err := q.committed(ctx, q.dead.kgroup, q.dead.ktopic)
	if err != nil {
		return nil, fmt.Errorf("read dead letters: %w", err)
	}
	starts, err := q.adm.ListStartOffsets(ctx, q.dead.ktopic)
	if err == nil {
		err = starts.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("read dead letters: list start offsets: %w", err)
	}
	ends, err := q.adm.ListEndOffsets(ctx, q.dead.ktopic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("read dead letters: list end offsets: %w", err)
	}
	var parts []int32
	ends.Each(func(o kadm.ListedOffset) { parts = append(parts, o.Partition) })
	slices.Sort(parts)
	quotas := map[int32]quota{}
	for _, p := range parts {
		end, _ := ends.Lookup(q.dead.ktopic, p)
		from := int64(0)
		if s, ok := starts.Lookup(q.dead.ktopic, p); ok {
			from = s.Offset
		}
		if c, ok := committed.Lookup(q.dead.ktopic, p); ok && c.At > from {
			from = c.At
		}
		if n := min(max, end.Offset-from); n > 0 {
			quotas[p] = quota{from: from, n: n}
			max -= n
		}
	}
	return quotas, nil
}

// readDead reads each partition's quota with a short-lived direct consumer: reading is
// rare, and a direct consumer knows at once where the letters end, which a group
// member only knows after joining.
func (q *Queue) readDead(ctx context.Context, quotas map[int32]quota) ([]*kgo.Record, error) {
	offsets := map[int32]kgo.Offset{}
	left := map[int32]int64{}
	for p, qu := range quotas {
		offsets[p] = kgo.NewOffset().At(qu.from)
		left[p] = qu.n
	}
	opts := append(slices.Clone(q.opts), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{q.dead.ktopic: offsets}),
		kgo.FetchMaxWait(q.cfg.FetchMaxWait))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("create dead-letter reader: %w", err)
	}
	defer cl.Close()
	byPart := map[int32][]*kgo.Record{}
	for remaining := len(left); remaining > 0; {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := fetches.Err(); err != nil {
			return nil, err
		}
		fetches.EachRecord(func(r *kgo.Record) {
			if left[r.Partition] > 0 {
				byPart[r.Partition] = append(byPart[r.Partition], r)
				if left[r.Partition]--; left[r.Partition] == 0 {
					remaining--
				}
			}
		})
	}
	parts := make([]int32, 0, len(byPart))
	for p := range byPart {
		parts = append(parts, p)
	}
	slices.Sort(parts)
	var out []*kgo.Record
	for _, p := range parts {
		out = append(out, byPart[p]...)
	}
	return out, nil
}
