package memory

import "slices"

// item is one entry in one group's partition.
type item struct {
	e        *entry
	attempts int // deliveries so far
}

// fifo is a queue of items kept in publish order (entry.seq). Items are popped from the
// head; returned items are inserted back by seq, which puts them before every item never
// delivered, since those were all published after them.
type fifo struct {
	buf  []item
	head int // buf[head:] are the items
}

func (f *fifo) len() int { return len(f.buf) - f.head }

func (f *fifo) push(it item) {
	// Reuse the popped front instead of growing once it is half the buffer.
	if f.head > 0 && len(f.buf) == cap(f.buf) && f.head >= len(f.buf)/2 {
		n := copy(f.buf, f.buf[f.head:])
		clear(f.buf[n:])
		f.buf = f.buf[:n]
		f.head = 0
	}
	f.buf = append(f.buf, it)
}

func (f *fifo) pop() item {
	it := f.buf[f.head]
	f.buf[f.head] = item{}
	f.head++
	if f.head == len(f.buf) {
		f.buf = f.buf[:0]
		f.head = 0
	}
	return it
}

// insert puts it back in seq order. Only returned items can precede it, so the scan is
// short, and there is usually room before the head.
func (f *fifo) insert(it item) {
	i := f.head
	for i < len(f.buf) && f.buf[i].e.seq < it.e.seq {
		i++
	}
	if f.head == 0 {
		f.buf = slices.Insert(f.buf, i, it)
		return
	}
	copy(f.buf[f.head-1:i-1], f.buf[f.head:i])
	f.head--
	f.buf[i-1] = it
}
