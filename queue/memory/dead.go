package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/trolly-logs/trolly/queue"
)

// deadStore keeps the rejected messages of a queue, the oldest dropped past max. It lives
// in memory like everything else here: a process that stops loses it.
type deadStore struct {
	mu      sync.Mutex
	letters []queue.DeadLetter
	max     int
	metrics *metrics
}

func (s *deadStore) add(l queue.DeadLetter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.letters) >= s.max {
		s.letters = s.letters[1:]
		s.metrics.deadDropped.Inc()
	}
	s.letters = append(s.letters, l)
	s.metrics.deadLetters.WithLabelValues(l.Topic, l.Group).Inc()
}

func (s *deadStore) take(n int) []queue.DeadLetter {
	s.mu.Lock()
	defer s.mu.Unlock()
	n = min(n, len(s.letters))
	out := append([]queue.DeadLetter(nil), s.letters[:n]...)
	s.letters = s.letters[n:]
	return out
}

// DeadLetters implements queue.Queue.
func (q *Queue) DeadLetters(ctx context.Context, max int) ([]queue.DeadLetter, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read dead letters: %w", err)
	}
	if max < 1 {
		return nil, fmt.Errorf("read dead letters: max must be > 0, got %d", max)
	}
	return q.dead.take(max), nil
}

// Reject settles a delivery as Ack does and keeps it, with cause, in the dead letters.
func (c *consumer) Reject(tag uint64, cause error) error {
	c.t.mu.Lock()
	defer c.t.mu.Unlock()
	f, err := c.settle("reject", tag)
	if err != nil {
		return err
	}
	reason := "rejected"
	if cause != nil {
		reason = cause.Error()
	}
	c.t.dead.add(queue.DeadLetter{
		Message: f.it.e.msg, Topic: c.t.name, Group: c.g.name,
		Attempt: f.it.attempts, Reason: reason, At: time.Now(),
	})
	c.g.inflight--
	c.g.release(f.part)
	c.t.unrefLocked(f.it.e)
	c.g.updateDepth()
	return nil
}
