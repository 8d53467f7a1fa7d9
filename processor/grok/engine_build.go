package grok

import (
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// translate turns Go's program into the engine's, instruction for instruction, so that pcs
// are the same; runs of literals and greedy loops are then fused into their first
// instruction, whose followers are still there but no longer reached.
func (e *engine) translate(prog *syntax.Prog) {
	e.insts = make([]inst, len(prog.Inst))
	for i := range prog.Inst {
		e.insts[i] = convert(&prog.Inst[i])
	}
	preds, predOf := predecessors(prog)
	// A state reached by at most one path needs no memo: its one predecessor is memoised or
	// itself reached once. Cycles enter through a join, which is memoised, as regexp's are.
	for i := range e.insts {
		e.insts[i].slot = -1
		if preds[i] > 1 {
			e.insts[i].slot = int32(e.nslots)
			e.nslots++
		}
	}
	e.fuseLiterals(prog, preds, predOf)
	e.fuseLoops(prog)
}

// predecessors counts the edges into each instruction, the search's entry included, and
// returns the last predecessor of each.
func predecessors(prog *syntax.Prog) (preds []int, predOf []uint32) {
	preds, predOf = make([]int, len(prog.Inst)), make([]uint32, len(prog.Inst))
	edge := func(from int, to uint32) {
		preds[to]++
		predOf[to] = uint32(from)
	}
	preds[prog.Start]++
	for i := range prog.Inst {
		switch in := &prog.Inst[i]; in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			edge(i, in.Out)
			edge(i, in.Arg)
		case syntax.InstMatch, syntax.InstFail:
		default:
			edge(i, in.Out)
		}
	}
	return preds, predOf
}

// fuseLiterals makes the head of each run of ASCII literals, whose members after the head
// have no other way in, compare the run at once.
func (e *engine) fuseLiterals(prog *syntax.Prog, preds []int, predOf []uint32) {
	isLit := func(pc uint32) bool {
		in := &prog.Inst[pc]
		return in.Op == syntax.InstRune1 && in.Rune[0] < utf8.RuneSelf
	}
	for i := range prog.Inst {
		pc := uint32(i)
		if !isLit(pc) || (preds[pc] == 1 && isLit(predOf[pc])) {
			continue // not the head of a run
		}
		var lit []byte
		for {
			lit = append(lit, byte(prog.Inst[pc].Rune[0]))
			next := prog.Inst[pc].Out
			if !isLit(next) || preds[next] != 1 {
				break
			}
			pc = next
		}
		if len(lit) > 1 {
			e.insts[i].op, e.insts[i].lit, e.insts[i].out = opLit, string(lit), prog.Inst[pc].Out
		}
	}
}

// fuseLoops turns each alternation that first tries one rune of a class and comes back to
// itself (x* and x+, greedy) into a loop that scans.
func (e *engine) fuseLoops(prog *syntax.Prog) {
	for i := range prog.Inst {
		in := &prog.Inst[i]
		if in.Op != syntax.InstAlt || !isRuneOp(prog.Inst[in.Out].Op) || prog.Inst[in.Out].Out != uint32(i) {
			continue
		}
		body := e.insts[in.Out]
		star := &e.insts[i]
		star.op, star.out, star.arg = opStar, in.Arg, in.Out
		star.ascii, star.high, star.src, star.bodySlot = body.ascii, body.high, body.src, body.slot
	}
}

func isRuneOp(o syntax.InstOp) bool {
	return o == syntax.InstRune || o == syntax.InstRune1 || o == syntax.InstRuneAny || o == syntax.InstRuneAnyNotNL
}

func convert(in *syntax.Inst) inst {
	x := inst{out: in.Out, arg: in.Arg}
	switch in.Op {
	case syntax.InstAlt, syntax.InstAltMatch:
		x.op = opAlt
	case syntax.InstCapture:
		x.op = opCapture
	case syntax.InstEmptyWidth:
		x.op, x.empty = opEmpty, syntax.EmptyOp(in.Arg)
	case syntax.InstNop:
		x.op = opNop
	case syntax.InstMatch:
		x.op = opMatch
	case syntax.InstFail:
		x.op = opFail
	default:
		x.op, x.src = opRune, in
		for r := range rune(utf8.RuneSelf) {
			if matchRune(in, r) {
				x.ascii[r>>6] |= 1 << (r & 63)
			}
		}
		x.high = highClass(in)
	}
	return x
}

// highClass tells how the rune instruction treats runes outside ASCII.
func highClass(in *syntax.Inst) uint8 {
	switch in.Op {
	case syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		return highAll
	case syntax.InstRune1:
		if in.Rune[0] < utf8.RuneSelf {
			return highNone
		}
		return highCheck
	}
	if len(in.Rune) == 1 {
		if in.Rune[0] < utf8.RuneSelf && syntax.Flags(in.Arg)&syntax.FoldCase == 0 {
			return highNone
		}
		return highCheck // folding takes 'k' to U+212A KELVIN SIGN
	}
	next, reaches := rune(utf8.RuneSelf), false
	for i := 0; i+1 < len(in.Rune); i += 2 {
		lo, hi := in.Rune[i], in.Rune[i+1]
		if hi < utf8.RuneSelf {
			continue
		}
		reaches = true
		if lo > next {
			return highCheck // a gap
		}
		next = max(next, hi+1)
	}
	switch {
	case !reaches:
		return highNone
	case next > unicode.MaxRune:
		return highAll
	}
	return highCheck
}

// maxFirstWalk bounds the instructions firstBytes visits for a branch, so that compiling
// stays linear.
const maxFirstWalk = 64

// firstBytes returns the bytes a match from pc can start with, or nil when it can be empty
// or more than limit instructions would have to be visited to tell.
func (e *engine) firstBytes(pc uint32, limit int) *[4]uint64 {
	var set [4]uint64
	seen := make(map[uint32]bool)
	stack := []uint32{pc}
	addClass := func(in *inst) {
		set[0] |= in.ascii[0]
		set[1] |= in.ascii[1]
		if in.high != highNone {
			set[2], set[3] = ^uint64(0), ^uint64(0)
		}
	}
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		if len(seen) == limit {
			return nil
		}
		seen[pc] = true
		switch in := &e.insts[pc]; in.op {
		case opMatch:
			return nil
		case opRune:
			addClass(in)
		case opLit:
			set[in.lit[0]>>6] |= 1 << (in.lit[0] & 63)
		case opStar:
			addClass(in)
			stack = append(stack, in.out)
		case opAlt:
			stack = append(stack, in.arg, in.out)
		case opCapture, opEmpty, opNop:
			stack = append(stack, in.out)
		}
	}
	return &set
}
