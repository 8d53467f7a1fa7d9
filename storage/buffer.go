package storage

import (
	"bytes"
	"slices"
	"time"

	"github.com/trolly-logs/trolly/internal/sink"
	"github.com/trolly-logs/trolly/queue"
)

// Why a chunk was flushed; the label of the chunks-written metric.
const (
	reasonSize   = "size"
	reasonAge    = "age"
	reasonMemory = "memory"
	reasonDrain  = "drain"
	reasonStop   = "stop"
)

// chunkID is what events share to go into one chunk.
type chunkID struct {
	tenant, stream string // tenant is the tenant's key
	hour           int64  // unix seconds of the hour's start
}

func hourOf(unixNano int64) int64 {
	const hour = int64(time.Hour)
	h := unixNano / hour
	if unixNano%hour < 0 {
		h-- // floor, for the rare event before 1970
	}
	return h * 3600
}

// chunk is the NDJSON of one chunkID, open while events are added to it, then sealed
// until it is written.
type chunk struct {
	id      chunkID
	data    blocks
	size    int64 // uncompressed bytes, kept after data is compressed away
	events  int
	opened  time.Time
	sealed  bool
	reason  string
	waiters []*pending // the deliveries with an event in this chunk, each once

	// Set on the first write attempt and kept, so that retries rewrite the same object.
	key        string
	compressed []byte
	// The chunk's failed writes, and the last error.
	failed  sink.Attempts
	lastErr error
}

// pending counts the chunks a delivery waits for; it is acknowledged at zero. The
// archiver holds one count while it adds the delivery's events, so that a chunk written
// meanwhile cannot settle it early.
type pending struct {
	d    *queue.Delivery
	left int
	dead bool // rejected to the dead letters: never acknowledged or nacked
}

// buffer holds the chunks not yet written. It does no I/O and is not safe for concurrent
// use: the archiver's loop owns it.
type buffer struct {
	maxChunk int64
	open     map[chunkID]*chunk
	order    []*chunk // open chunks in opening order; sealed ones are skipped lazily
	sealed   []*chunk // waiting to be written, in sealing order
	bytes    int64    // uncompressed bytes of open and sealed chunks
}

func newBuffer(maxChunk int64) *buffer {
	return &buffer{maxChunk: maxChunk, open: make(map[chunkID]*chunk)}
}

// add appends one document to its chunk and seals the chunk once it is full.
func (b *buffer) add(p *pending, id chunkID, doc []byte, now time.Time) {
	c := b.open[id]
	if c == nil {
		c = &chunk{id: id, opened: now}
		b.open[id] = c
		b.order = append(b.order, c)
	}
	grown := c.data.add(doc)
	c.size += grown
	b.bytes += grown
	c.events++
	if n := len(c.waiters); n == 0 || c.waiters[n-1] != p {
		c.waiters = append(c.waiters, p)
		p.left++
	}
	if c.size >= b.maxChunk {
		b.seal(c, reasonSize)
	}
}

// Block sizes of a chunk's NDJSON: small for the many quiet streams, large for the busy.
const (
	minBlock = 4 << 10
	maxBlock = 256 << 10
)

// blocks holds NDJSON lines in blocks that double up to maxBlock, so that a growing chunk
// never copies what it holds. A line never spans two blocks.
type blocks [][]byte

// add appends doc as one line and returns the bytes added.
func (bs *blocks) add(doc []byte) int64 {
	need := len(doc) + 1
	last := len(*bs) - 1
	if last < 0 || cap((*bs)[last])-len((*bs)[last]) < need {
		size := minBlock
		if last >= 0 {
			size = min(2*cap((*bs)[last]), maxBlock)
		}
		*bs = append(*bs, make([]byte, 0, max(size, need)))
		last++
	}
	(*bs)[last] = appendLine((*bs)[last], doc)
	return int64(need)
}

// appendTo appends the NDJSON to dst.
func (bs blocks) appendTo(dst []byte) []byte {
	for _, b := range bs {
		dst = append(dst, b...)
	}
	return dst
}

// appendLine appends doc and a newline. A newline inside a JSON document can only be
// whitespace between tokens (in strings it is escaped), so a space replaces it.
func appendLine(dst, doc []byte) []byte {
	start := len(dst)
	dst = append(dst, doc...)
	if bytes.IndexByte(doc, '\n') >= 0 {
		line := dst[start:]
		for i, c := range line {
			if c == '\n' {
				line[i] = ' '
			}
		}
	}
	return append(dst, '\n')
}

func (b *buffer) seal(c *chunk, reason string) {
	if c.sealed {
		return
	}
	delete(b.open, c.id)
	c.sealed = true
	c.reason = reason
	b.sealed = append(b.sealed, c)
}

// oldest returns the open chunk opened first, if any.
func (b *buffer) oldest() *chunk {
	for len(b.order) > 0 && b.order[0].sealed {
		b.order[0] = nil
		b.order = b.order[1:]
	}
	if len(b.order) == 0 {
		return nil
	}
	return b.order[0]
}

// sealAged seals the chunks opened at least maxAge before now, and returns when the next
// one will be due (false if no chunk is open).
func (b *buffer) sealAged(now time.Time, maxAge time.Duration) (time.Time, bool) {
	for c := b.oldest(); c != nil; c = b.oldest() {
		due := c.opened.Add(maxAge)
		if now.Before(due) {
			return due, true
		}
		b.seal(c, reasonAge)
	}
	return time.Time{}, false
}

// limit seals the largest open chunks while the open ones hold more than max bytes;
// the sealed ones are written next.
func (b *buffer) limit(max int64) {
	open := b.bytes
	for _, c := range b.sealed {
		open -= c.size
	}
	for open > max && len(b.open) > 0 {
		var largest *chunk
		for _, c := range b.open {
			if largest == nil || c.size > largest.size {
				largest = c
			}
		}
		b.seal(largest, reasonMemory)
		open -= largest.size
	}
}

// sealAll seals every open chunk, oldest first.
func (b *buffer) sealAll(reason string) {
	for c := b.oldest(); c != nil; c = b.oldest() {
		b.seal(c, reason)
	}
}

// written drops sealed chunk i, now durable, and returns the deliveries it completed.
func (b *buffer) written(i int) (c *chunk, done []*queue.Delivery) {
	c = b.drop(i)
	for _, p := range c.waiters {
		if p.release() {
			done = append(done, p.d)
		}
	}
	return c, done
}

// abandon drops sealed chunk i, which will never be written, and returns the deliveries
// waiting for it that are not dead yet, now dead.
func (b *buffer) abandon(i int) (c *chunk, dead []*queue.Delivery) {
	c = b.drop(i)
	for _, p := range c.waiters {
		if !p.dead && p.left > 0 {
			p.dead = true
			dead = append(dead, p.d)
		}
	}
	return c, dead
}

func (b *buffer) drop(i int) *chunk {
	c := b.sealed[i]
	b.sealed = slices.Delete(b.sealed, i, i+1)
	b.bytes -= c.size
	return c
}

// unfinished returns the deliveries still waiting for a chunk, each once, and forgets
// them.
func (b *buffer) unfinished() []*queue.Delivery {
	var out []*queue.Delivery
	b.sealAll(reasonStop)
	for _, c := range b.sealed {
		for _, p := range c.waiters {
			if p.left > 0 && !p.dead {
				p.left = 0
				out = append(out, p.d)
			}
		}
	}
	b.sealed = nil
	b.bytes = 0
	return out
}

// release drops one count and reports whether the delivery is complete, and to be
// acknowledged.
func (p *pending) release() bool {
	p.left--
	return p.left == 0 && !p.dead
}
