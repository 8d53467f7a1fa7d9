package rabbitmq

import "maps"

// CutConnection drops the network connection under the queue, as a failing network would.
func (q *Queue) CutConnection() { q.link.cut() }

// Declared returns the name and kind ("queue" or "exchange") of every broker entity the
// queue declared, for cleanup.
func (q *Queue) Declared() map[string]string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return maps.Clone(q.declared)
}

// DeadQueue is the name of the dead-letter queue.
func (q *Queue) DeadQueue() string { return q.names.dead() }
