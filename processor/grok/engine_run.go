package grok

import "unicode/utf8"

// machine is the state of one search; engines keep them in a pool.
type machine struct {
	memo   []uint64 // bit slot*(stride)+pos: the state was visited
	stride int
	jobs   []job
	caps   []int
}

type jobKind uint8

const (
	jobAlt     jobKind = iota // try the alternative's arg at pos
	jobRestore                // set caps[pc] back to pos
	jobStar                   // try the loop's exit at pos, then before it down to lo
)

type job struct {
	pc      uint32
	kind    jobKind
	pos, lo int
}

func (e *engine) machine() *machine {
	if m, ok := e.machines.Get().(*machine); ok {
		return m
	}
	return &machine{}
}

func (m *machine) reset(e *engine, n int) {
	m.stride = n + 1
	words := (e.nslots*m.stride + 63) / 64
	if cap(m.memo) < words {
		m.memo = make([]uint64, words)
	} else {
		m.memo = m.memo[:words]
		clear(m.memo)
	}
	m.jobs = m.jobs[:0]
	if cap(m.caps) < e.ncap {
		m.caps = make([]int, e.ncap)
	}
	m.caps = m.caps[:e.ncap]
	for i := range m.caps {
		m.caps[i] = -1
	}
}

// visit marks the state and reports whether it was new.
func (m *machine) visit(slot int32, pos int) bool {
	i := uint(int(slot)*m.stride + pos)
	w, b := i/64, uint64(1)<<(i%64)
	if m.memo[w]&b != 0 {
		return false
	}
	m.memo[w] |= b
	return true
}

// try runs the depth-first search from pos, trying alternatives in order.
func (m *machine) try(e *engine, line []byte, pos int) bool {
	m.jobs = m.jobs[:0]
	pc := e.start
	for !m.run(e, line, pc, pos) {
		var ok bool
		if pc, pos, ok = m.backtrack(e, line); !ok {
			return false
		}
	}
	return true
}

// run follows one path until it fails or matches, leaving jobs for the choices it made.
func (m *machine) run(e *engine, line []byte, pc uint32, pos int) bool {
	for {
		in := &e.insts[pc]
		if in.slot >= 0 && !m.visit(in.slot, pos) {
			return false
		}
		switch in.op {
		case opRune:
			w := in.step(line, pos)
			if w == 0 {
				return false
			}
			pos += w
		case opLit:
			if len(line)-pos < len(in.lit) || string(line[pos:pos+len(in.lit)]) != in.lit {
				return false
			}
			pos += len(in.lit)
		case opAlt:
			// A branch that cannot start with the next byte would fail at once: skip it.
			outOK, argOK := canStart(in.outFirst, line, pos), canStart(in.argFirst, line, pos)
			switch {
			case outOK && argOK:
				m.jobs = append(m.jobs, job{pc: pc, kind: jobAlt, pos: pos})
			case argOK:
				pc = in.arg
				continue
			case !outOK:
				return false
			}
		case opStar:
			hi := m.scan(in, line, pos)
			if hi > pos {
				m.jobs = append(m.jobs, job{pc: pc, kind: jobStar, pos: before(line, pos, hi), lo: pos})
			}
			pos = hi
		case opCapture:
			if int(in.arg) < len(m.caps) {
				m.jobs = append(m.jobs, job{pc: in.arg, kind: jobRestore, pos: m.caps[in.arg]})
				m.caps[in.arg] = pos
			}
		case opEmpty:
			if !emptyOK(line, pos, in.empty) {
				return false
			}
		case opNop:
		case opMatch:
			if len(m.caps) > 1 {
				m.caps[1] = pos
			}
			return true
		default: // opFail
			return false
		}
		pc = in.out
	}
}

// scan runs a greedy loop as far as it goes: the body matches and neither the body's nor the
// loop's state was visited, where regexp's backtracker would stop too.
func (m *machine) scan(in *inst, line []byte, pos int) int {
	for {
		if in.bodySlot >= 0 && !m.visit(in.bodySlot, pos) {
			return pos
		}
		w := in.step(line, pos)
		if w == 0 || (in.slot >= 0 && !m.visit(in.slot, pos+w)) {
			return pos
		}
		pos += w
	}
}

// backtrack pops jobs until one gives a path to try.
func (m *machine) backtrack(e *engine, line []byte) (pc uint32, pos int, ok bool) {
	for len(m.jobs) > 0 {
		j := m.jobs[len(m.jobs)-1]
		m.jobs = m.jobs[:len(m.jobs)-1]
		switch j.kind {
		case jobRestore:
			m.caps[j.pc] = j.pos
		case jobAlt:
			return e.insts[j.pc].arg, j.pos, true
		case jobStar:
			if j.pos > j.lo {
				m.jobs = append(m.jobs, job{pc: j.pc, kind: jobStar, pos: before(line, j.lo, j.pos), lo: j.lo})
			}
			return e.insts[j.pc].out, j.pos, true
		}
	}
	return 0, 0, false
}

// before returns the start of the rune that ends at hi, not before lo.
func before(line []byte, lo, hi int) int {
	if line[hi-1] < utf8.RuneSelf {
		return hi - 1
	}
	_, w := utf8.DecodeLastRune(line[lo:hi])
	return hi - w
}

// canStart reports whether a path whose first bytes are set may match at pos.
func canStart(set *[4]uint64, line []byte, pos int) bool {
	return set == nil || pos < len(line) && inSet(set, line[pos])
}
