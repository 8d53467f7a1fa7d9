package kafka

import (
	"sync"
	"time"
)

// lagRefreshEvery is how old the lag may grow before a publish that fits triggers a
// refresh in the background; a publish that does not fit always refreshes first.
const lagRefreshEvery = 100 * time.Millisecond

// lagEstimate tells whether a topic has room: Kafka itself never refuses, so the room is
// what the slowest declared group has not committed, in bytes:
//
//	(records that group had not committed at the last refresh
//	 + records this process published since, past the end offsets that refresh read)
//	× average record size
//	+ bytes admitted and not yet acknowledged
//
// Counting this process's records by offset, not by time, counts each exactly once
// whether it was acknowledged before or after the refresh read the end offsets. The
// average is that of the bodies this process published (or of the call being admitted,
// before the first). Other processes' records show up at the next refresh. The estimate
// is for admission only: being off by a few records moves the refusal a little, never
// loses data.
type lagEstimate struct {
	max int64

	mu          sync.Mutex
	records     int64           // uncommitted by the slowest group at the last refresh
	ends        map[int32]int64 // end offsets read by the last refresh
	own         map[int32]int64 // after the newest record this process published
	extra       int64           // records of own past ends
	pending     int64           // bytes admitted and not yet acknowledged
	refreshedAt time.Time       // when the last refresh began reading
	sumBytes    int64           // published by this process, for the average
	sumRecords  int64
}

// produced is a record the broker acknowledged.
type produced struct {
	partition int32
	offset    int64
	bytes     int64
}

// admit reserves n bytes of count records when they fit. stale says that the last refresh
// is older than lagRefreshEvery.
func (l *lagEstimate) admit(n, count int64, now time.Time) (ok, stale bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	stale = now.Sub(l.refreshedAt) >= lagRefreshEvery
	if l.bytesLocked(n, count)+n > l.max {
		return false, stale
	}
	l.pending += n
	return true, stale
}

// bytesLocked is the estimate; n and count stand in for the average before the first
// publish.
func (l *lagEstimate) bytesLocked(n, count int64) int64 {
	avg := int64(0)
	switch {
	case l.sumRecords > 0:
		avg = l.sumBytes / l.sumRecords
	case count > 0:
		avg = n / count
	}
	return (l.records+l.extra)*avg + l.pending
}

// finish settles a reservation of n bytes, of which acked were acknowledged.
func (l *lagEstimate) finish(n int64, acked []produced) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending -= n
	if l.own == nil {
		l.own = map[int32]int64{}
	}
	for _, r := range acked {
		l.sumBytes += r.bytes
		l.sumRecords++
		if next := r.offset + 1; next > l.own[r.partition] {
			end := l.ends[r.partition]
			l.extra += max(0, next-end) - max(0, l.own[r.partition]-end)
			l.own[r.partition] = next
		}
	}
}

// update records a refresh that began reading at at: the slowest group had records
// uncommitted, and the partitions ended at ends.
func (l *lagEstimate) update(records int64, ends map[int32]int64, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records, l.ends, l.refreshedAt = records, ends, at
	l.extra = 0
	for p, next := range l.own {
		l.extra += max(0, next-ends[p])
	}
}

// refreshed returns when the last refresh began reading.
func (l *lagEstimate) refreshed() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refreshedAt
}

// average returns the average body size of this process's records, 0 before the first.
func (l *lagEstimate) average() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sumRecords == 0 {
		return 0
	}
	return l.sumBytes / l.sumRecords
}

// estimate returns the bytes the slowest group is estimated to lag.
func (l *lagEstimate) estimate() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytesLocked(0, 0)
}
