package grok

import (
	"regexp"
	"regexp/syntax"
	"sync"
	"unicode/utf8"
)

// engine runs a compiled regular expression the way Go's regexp backtracker does (the same
// program, the same leftmost-first search, the same memo of visited states, so the same
// matches and captures) but faster on log lines: ASCII is classified by table without
// decoding UTF-8, runs of literal bytes compare at once, a greedy loop over one character
// class scans in a tight loop, and only states that two paths can reach are memoised. Inputs
// whose memo would be too large go to Go's regexp, which then runs its NFA.
type engine struct {
	insts    []inst
	start    uint32
	anchored bool       // the match must start at 0
	first    *[4]uint64 // bytes a match can start with; nil when any can, or none is needed
	nslots   int        // instructions memoised
	ncap     int        // capture positions, Go's NumCap
	re       *regexp.Regexp
	machines sync.Pool // *machine
}

type op uint8

const (
	opFail op = iota
	opMatch
	opRune    // one rune of a class
	opLit     // ASCII bytes
	opAlt     // try out, then arg
	opStar    // greedy loop of one rune of a class (the class is the instruction's); exit at out
	opCapture // caps[arg] = pos
	opEmpty   // an empty-width assertion
	opNop
)

// How a class treats runes outside ASCII.
const (
	highNone  = iota // none matches
	highAll          // all match, U+FFFD (an invalid byte) included
	highCheck        // ask the syntax instruction
)

type inst struct {
	op       op
	high     uint8
	slot     int32 // index in the memo, -1 when at most one path reaches the instruction
	out, arg uint32
	ascii    [2]uint64 // opRune, opStar: the class on ASCII
	lit      string    // opLit
	empty    syntax.EmptyOp
	src      *syntax.Inst // opRune, opStar with highCheck: the class's rune test
	bodySlot int32        // opStar: the loop body's slot
	// opAlt: the bytes each branch can start with, nil when it may match empty or is
	// too large to tell.
	outFirst, argFirst *[4]uint64
}

// maxMemoBits bounds the memo of one search (512 KiB); longer inputs go to regexp.
const maxMemoBits = 1 << 22

// newEngine compiles expr, which regexp.Compile has accepted as re.
func newEngine(expr string, re *regexp.Regexp) (*engine, error) {
	parsed, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, err
	}
	e := &engine{start: uint32(prog.Start), ncap: prog.NumCap, re: re,
		anchored: prog.StartCond()&syntax.EmptyBeginText != 0}
	e.translate(prog)
	e.first = e.firstBytes(e.start, len(e.insts))
	for i := range e.insts {
		if in := &e.insts[i]; in.op == opAlt {
			in.outFirst = e.firstBytes(in.out, maxFirstWalk)
			in.argFirst = e.firstBytes(in.arg, maxFirstWalk)
		}
	}
	return e, nil
}

// match searches line and returns the capture positions in m.caps, as FindSubmatchIndex
// does, or false.
func (e *engine) match(line []byte, m *machine) bool {
	if e.nslots*(len(line)+1) > maxMemoBits {
		loc := e.re.FindSubmatchIndex(line)
		m.caps = append(m.caps[:0], loc...)
		return loc != nil
	}
	m.reset(e, len(line))
	if e.anchored {
		m.caps[0] = 0
		return m.try(e, line, 0)
	}
	for pos := 0; pos <= len(line); {
		if e.first != nil { // skip what cannot start a match, which is never empty
			for pos < len(line) && !inSet(e.first, line[pos]) {
				pos += width(line, pos)
			}
			if pos == len(line) {
				return false
			}
		}
		m.caps[0] = pos
		if m.try(e, line, pos) {
			return true
		}
		if pos == len(line) {
			break
		}
		pos += width(line, pos)
	}
	return false
}

func inSet(set *[4]uint64, c byte) bool { return set[c>>6]&(1<<(c&63)) != 0 }

// width is the size of the rune at pos, as regexp steps: an invalid byte counts as one.
func width(line []byte, pos int) int {
	if line[pos] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRune(line[pos:])
	return w
}

// step returns the width of the rune at pos when in's class holds it, else 0.
func (in *inst) step(line []byte, pos int) int {
	if pos >= len(line) {
		return 0
	}
	c := line[pos]
	if c < utf8.RuneSelf {
		if in.ascii[c>>6]&(1<<(c&63)) != 0 {
			return 1
		}
		return 0
	}
	switch in.high {
	case highNone:
		return 0
	case highAll:
		_, w := utf8.DecodeRune(line[pos:])
		return w
	}
	r, w := utf8.DecodeRune(line[pos:])
	if matchRune(in.src, r) {
		return w
	}
	return 0
}

// matchRune is the rune test of Go's backtracker for each kind of rune instruction.
func matchRune(in *syntax.Inst, r rune) bool {
	switch in.Op {
	case syntax.InstRune1:
		return r == in.Rune[0]
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return r != '\n'
	}
	return in.MatchRune(r)
}

// emptyOK reports whether the assertion holds at pos, as regexp's input context decides it.
func emptyOK(line []byte, pos int, want syntax.EmptyOp) bool {
	r1, r2 := rune(-1), rune(-1)
	if pos > 0 {
		r1 = rune(line[pos-1])
		if r1 >= utf8.RuneSelf {
			r1, _ = utf8.DecodeLastRune(line[:pos])
		}
	}
	if pos < len(line) {
		r2 = rune(line[pos])
		if r2 >= utf8.RuneSelf {
			r2, _ = utf8.DecodeRune(line[pos:])
		}
	}
	return want&^syntax.EmptyOpContext(r1, r2) == 0
}
