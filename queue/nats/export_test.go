package nats

// SetTrackedLimit sets how many messages of a topic the queues made from now on follow one
// by one, until the test ends.
func SetTrackedLimit(t interface{ Cleanup(func()) }, n int) {
	old := trackedLimit
	trackedLimit = n
	t.Cleanup(func() { trackedLimit = old })
}

// Tracked returns the messages of topic followed one by one, settled ones included.
func (q *Queue) Tracked(topic string) int {
	q.tenants.mu.Lock()
	defer q.tenants.mu.Unlock()
	if f := q.tenants.topics[topic]; f != nil {
		return len(f.recs)
	}
	return 0
}
