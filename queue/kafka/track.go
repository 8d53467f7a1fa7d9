package kafka

import (
	"cmp"
	"slices"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

// flight is a record delivered by a consumer and not yet passed by its partition's
// commit offset.
type flight struct {
	rec     *kgo.Record
	part    *partition
	tag     uint64 // of its current delivery; 0 while it waits for redelivery
	attempt int    // of its current delivery
	settled bool   // acknowledged or rejected
}

// partition is what a consumer tracks of a partition it owns, from the first record it
// received there until the partition is revoked. A new assignment of the same partition is
// a new partition value, so deliveries of the old one are recognised as stale.
type partition struct {
	id        int32
	committed int64     // last offset committed by this consumer, -1 before
	window    []*flight // delivered records in offset order, from the oldest unsettled
	next      int64     // offset after the newest delivered record
	again     []*flight // nacked, waiting for redelivery, in offset order
}

func newPartition(id int32) *partition {
	return &partition{id: id, committed: -1, next: -1}
}

// add appends a newly received record, which must come after every earlier one.
func (p *partition) add(f *flight) {
	p.window = append(p.window, f)
	p.next = f.rec.Offset + 1
}

// settle marks f done and moves the window past every settled record at its start.
func (p *partition) settle(f *flight) {
	f.settled = true
	i := 0
	for i < len(p.window) && p.window[i].settled {
		p.window[i] = nil // let the record go
		i++
	}
	p.window = p.window[i:]
}

// requeue puts a nacked record back for redelivery, ahead of any later one.
func (p *partition) requeue(f *flight) {
	i, _ := slices.BinarySearchFunc(p.again, f.rec.Offset, func(a *flight, off int64) int {
		return cmp.Compare(a.rec.Offset, off)
	})
	p.again = slices.Insert(p.again, i, f)
}

// commitOffset is the offset to commit: every record below it is settled.
func (p *partition) commitOffset() int64 {
	if len(p.window) > 0 {
		return p.window[0].rec.Offset
	}
	return p.next
}

// attempts counts, per record, the deliveries made by the consumers of one Queue, so that
// a redelivery after a nack, a close or a rebalance between two of them has a higher
// Attempt. A record is forgotten once its group committed past it.
type attempts struct {
	mu sync.Mutex
	m  map[attemptKey]map[int64]int
}

type attemptKey struct {
	ktopic, kgroup string
	part           int32
}

func newAttempts() *attempts { return &attempts{m: map[attemptKey]map[int64]int{}} }

// next counts one more delivery of the record at off and returns the count.
func (a *attempts) next(k attemptKey, off int64) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	offs := a.m[k]
	if offs == nil {
		offs = map[int64]int{}
		a.m[k] = offs
	}
	offs[off]++
	return offs[off]
}

// forget drops the records below off, which the group committed.
func (a *attempts) forget(k attemptKey, off int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	offs := a.m[k]
	for o := range offs {
		if o < off {
			delete(offs, o)
		}
	}
	if len(offs) == 0 {
		delete(a.m, k)
	}
}
