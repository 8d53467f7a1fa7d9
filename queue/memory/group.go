package memory

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/trolly-logs/trolly/queue"
)

// group is one consumer group of a topic. Its fields are guarded by the topic's lock.
type group struct {
	name        string
	parts       []partition
	next        int // partition where the next scan starts, so that none starves
	pending     int
	inflight    int
	tag         uint64
	wake        chan struct{} // closed by broadcast; nil while nobody waits
	depth       prometheus.Gauge
	redelivered prometheus.Counter
}

// partition is a FIFO of one group. While a consumer has unacknowledged deliveries from
// it, only that consumer receives from it: this keeps each key in order.
type partition struct {
	fifo   fifo
	holder *consumer
	held   int // deliveries of holder not yet settled
}

func newGroup(topic, name string, partitions int, m *metrics) *group {
	return &group{
		name:        name,
		parts:       make([]partition, partitions),
		depth:       m.depth.WithLabelValues(topic, name),
		redelivered: m.redelivered.WithLabelValues(topic, name),
	}
}

func (g *group) push(e *entry) {
	g.parts[e.part].fifo.push(item{e: e})
	g.pending++
}

// take hands c up to limit deliveries from the partitions that are free or already held by
// c, scanning from g.next and taking all it can from each partition before the next.
func (g *group) take(c *consumer, limit int) []*queue.Delivery {
	var out []*queue.Delivery
	n := len(g.parts)
	for i := 0; i < n && g.pending > 0 && len(out) < limit; i++ {
		pi := (g.next + i) % n
		p := &g.parts[pi]
		if p.fifo.len() == 0 || (p.holder != nil && p.holder != c) {
			continue
		}
		if out == nil {
			out = make([]*queue.Delivery, 0, min(limit, g.pending))
		}
		for p.fifo.len() > 0 && len(out) < limit {
			out = append(out, g.deliver(c, pi, p.fifo.pop()))
		}
		g.next = (pi + 1) % n
	}
	return out
}

func (g *group) deliver(c *consumer, pi int, it item) *queue.Delivery {
	p := &g.parts[pi]
	p.holder = c
	p.held++
	it.attempts++
	if it.attempts > 1 {
		g.redelivered.Inc()
	}
	g.pending--
	g.inflight++
	g.tag++
	c.inflight[g.tag] = flight{it: it, part: pi}
	return queue.NewDelivery(it.e.msg, it.attempts, c, g.tag)
}

// requeue puts an unacknowledged delivery back in its partition, in publish order.
func (g *group) requeue(f flight) {
	g.parts[f.part].fifo.insert(f.it)
	g.pending++
	g.inflight--
}

// release ends one delivery of partition pi and frees the partition after the last.
func (g *group) release(pi int) {
	p := &g.parts[pi]
	p.held--
	if p.held == 0 {
		p.holder = nil
		g.broadcast()
	}
}

func (g *group) updateDepth() {
	g.depth.Set(float64(g.pending + g.inflight))
}

// waitChan returns a channel that broadcast closes.
func (g *group) waitChan() <-chan struct{} {
	if g.wake == nil {
		g.wake = make(chan struct{})
	}
	return g.wake
}

// broadcast wakes every Receive waiting on the group, to look again.
func (g *group) broadcast() {
	if g.wake != nil {
		close(g.wake)
		g.wake = nil
	}
}
