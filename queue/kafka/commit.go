package kafka

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// commitTimeout bounds one offset commit.
const commitTimeout = 10 * time.Second

// commitLoop commits what was acknowledged every commit_interval until Close.
func (c *consumer) commitLoop() {
	defer close(c.done)
	t := time.NewTicker(c.q.cfg.CommitInterval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		c.commitMu.Lock()
		ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
		err := c.commitLocked(ctx, c.cl, nil)
		cancel()
		c.commitMu.Unlock()
		if err != nil {
			// Usually a rebalance in progress; the next tick retries.
			c.log.Debug("commit offsets", "err", err)
		}
	}
}

// commitLocked commits, for the owned partitions in ids (every one when nil), the offset
// below which every delivery is settled, where it moved since the last commit. c.commitMu
// must be held. cl is passed in because revoke callbacks may run before c.cl is set.
func (c *consumer) commitLocked(ctx context.Context, cl *kgo.Client, ids []int32) error {
	offsets, parts := c.committable(ids)
	if len(offsets) == 0 {
		return nil
	}
	committed, err := commitSync(ctx, cl, c.ktopic, offsets)
	c.mu.Lock()
	for _, id := range committed {
		parts[id].committed = max(parts[id].committed, offsets[id].Offset)
	}
	c.mu.Unlock()
	for _, id := range committed {
		c.q.attempts.forget(c.attemptKey(id), offsets[id].Offset)
	}
	if err != nil {
		c.q.metrics.commitErrors.WithLabelValues(c.topic, c.group).Inc()
		return fmt.Errorf("commit offsets of group %s: %w", c.kgroup, err)
	}
	c.q.metrics.commits.WithLabelValues(c.topic, c.group).Inc()
	return nil
}

// committable returns the offsets to commit for the owned partitions in ids (every one
// when nil), and those partitions.
func (c *consumer) committable(ids []int32) (map[int32]kgo.EpochOffset, map[int32]*partition) {
	c.mu.Lock()
	defer c.mu.Unlock()
	offsets := map[int32]kgo.EpochOffset{}
	parts := map[int32]*partition{}
	for id, p := range c.parts {
		if ids != nil && !slices.Contains(ids, id) {
			continue
		}
		if o := p.commitOffset(); o > p.committed {
			offsets[id] = kgo.EpochOffset{Epoch: -1, Offset: o}
			parts[id] = p
		}
	}
	return offsets, parts
}

// commitSync commits offsets of ktopic and returns the partitions the broker accepted,
// with the first error.
func commitSync(ctx context.Context, cl *kgo.Client, ktopic string, offsets map[int32]kgo.EpochOffset) ([]int32, error) {
	var committed []int32
	var failed error
	cl.CommitOffsetsSync(ctx, map[string]map[int32]kgo.EpochOffset{ktopic: offsets},
		func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
			if err != nil {
				failed = err
				return
			}
			for _, t := range resp.Topics {
				for _, p := range t.Partitions {
					if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
						failed = cmp.Or(failed, err)
						continue
					}
					if _, ok := offsets[p.Partition]; ok {
						committed = append(committed, p.Partition)
					}
				}
			}
		})
	return committed, failed
}

// onRevoked commits what was acknowledged on the revoked partitions and forgets them:
// acks that come later are not committed, since another member owns the partitions now.
func (c *consumer) onRevoked(_ context.Context, cl *kgo.Client, revoked map[string][]int32) {
	ids := revoked[c.ktopic]
	if len(ids) == 0 {
		return
	}
	c.commitMu.Lock()
	defer c.commitMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	if err := c.commitLocked(ctx, cl, ids); err != nil {
		c.log.Warn("commit offsets of revoked partitions; their acknowledged records come again", "err", err)
	}
	c.dropLocked(ids)
	c.q.metrics.rebalances.WithLabelValues(c.topic, c.group, "revoked").Add(float64(len(ids)))
}

// onLost forgets partitions taken away without a chance to commit (the membership
// expired): their uncommitted records come again to the new owner.
func (c *consumer) onLost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	ids := lost[c.ktopic]
	if len(ids) == 0 {
		return
	}
	c.commitMu.Lock()
	defer c.commitMu.Unlock()
	c.dropLocked(ids)
	c.q.metrics.rebalances.WithLabelValues(c.topic, c.group, "lost").Add(float64(len(ids)))
}

// dropLocked forgets the partitions in ids (every one when nil); their deliveries become
// stale. c.commitMu must be held.
func (c *consumer) dropLocked(ids []int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ids == nil {
		clear(c.parts)
		return
	}
	for _, id := range ids {
		delete(c.parts, id)
	}
}
