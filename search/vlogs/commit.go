package vlogs

import (
	"context"
	"errors"
	"sync"

	"github.com/VictoriaMetrics/VictoriaLogs/lib/logstorage"
)

// errClosed fails the writes waiting for a commit when the backend closes first; the
// storages still flush what they hold when they close.
var errClosed = errors.New("search backend closed")

// committer makes added rows durable in rounds, one at a time, each shared by every write
// that joined it (group commit). A round makes the rows searchable (DebugFlush) and writes
// the in-memory parts of each day partition it touched to files, as a partition snapshot
// does before linking them; the snapshot is then deleted. The library flushes on its own
// only every second, without telling when.
type committer struct {
	done func(round uint64)

	mu      sync.Mutex
	next    uint64 // the round that writers join now
	dirty   map[*logstorage.Storage]map[string]bool
	signal  chan struct{}
	rounds  map[uint64]chan struct{}
	closed  bool
	stopped chan struct{}
}

func newCommitter(done func(round uint64)) *committer {
	c := &committer{
		done: done, next: 1,
		dirty:   map[*logstorage.Storage]map[string]bool{},
		signal:  make(chan struct{}, 1),
		rounds:  map[uint64]chan struct{}{},
		stopped: make(chan struct{}),
	}
	go c.loop()
	return c
}

// join records that s holds new rows in the day partitions parts, and returns the round
// that will make them durable.
func (c *committer) join(s *logstorage.Storage, parts map[string]bool) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dirty[s] == nil {
		c.dirty[s] = map[string]bool{}
	}
	for p := range parts {
		c.dirty[s][p] = true
	}
	if c.rounds[c.next] == nil {
		c.rounds[c.next] = make(chan struct{})
	}
	select {
	case c.signal <- struct{}{}:
	default:
	}
	return c.next
}

// wait returns once round has completed.
func (c *committer) wait(ctx context.Context, round uint64) error {
	c.mu.Lock()
	ch := c.rounds[round]
	c.mu.Unlock()
	if ch == nil {
		return nil // completed and forgotten
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.stopped:
		select {
		case <-ch:
			return nil
		default:
			return errClosed
		}
	}
}

func (c *committer) loop() {
	for range c.signal {
		c.mu.Lock()
		round, ch, dirty := c.next, c.rounds[c.next], c.dirty
		c.next++
		c.dirty = map[*logstorage.Storage]map[string]bool{}
		c.mu.Unlock()
		for s, parts := range dirty {
			s.DebugFlush()
			for p := range parts {
				for _, snap := range s.PartitionSnapshotMustCreate(p) {
					_ = s.PartitionSnapshotDelete(snap)
				}
			}
		}
		c.done(round)
		c.mu.Lock()
		delete(c.rounds, round)
		c.mu.Unlock()
		if ch != nil {
			close(ch)
		}
		c.mu.Lock()
		over := c.closed && len(c.rounds) == 0
		c.mu.Unlock()
		if over {
			break
		}
	}
	close(c.stopped)
}

// close runs a last round for the writers that joined, and stops.
func (c *committer) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		<-c.stopped
		return
	}
	c.closed = true
	c.mu.Unlock()
	select {
	case c.signal <- struct{}{}:
	default:
	}
	<-c.stopped
}
