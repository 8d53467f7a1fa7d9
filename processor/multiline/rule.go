package multiline

import (
	"regexp"
	"time"
)

// Rule is a compiled multiline rule. It is immutable and safe for concurrent use; a nil
// *Rule joins nothing.
type Rule struct {
	mode     mode
	re       *regexp.Regexp
	maxLines int
	maxBytes int
	maxWait  time.Duration
}

type mode uint8

const (
	modeNone mode = iota // every line is an event
	modeStackTraces
	modeStart
	modeContinuation
)

// MaxWait is how long a Joiner keeps the first line of an event waiting for more.
func (r *Rule) MaxWait() time.Duration {
	if r == nil {
		return 0
	}
	return r.maxWait
}

// Group partitions lines, in order, into events: it calls emit with the index of the first
// and the last line of each. Lines may end in "\n" or "\r\n" (trailing '\r' and '\n' are
// dropped, as the processor does); the ending is ignored for matching and not counted in
// max_bytes. The first line always starts an event.
func (r *Rule) Group(lines [][]byte, emit func(first, last int)) {
	if r == nil || r.mode == modeNone {
		for i := range lines {
			emit(i, i)
		}
		return
	}
	if len(lines) == 0 {
		return
	}
	line := trimEOL(lines[0])
	_, s := r.continues(plain, line)
	first, n, size := 0, 1, len(line)
	for i := 1; i < len(lines); i++ {
		line = trimEOL(lines[i])
		var cont bool
		cont, s = r.continues(s, line)
		if cont && r.fits(n, size, len(line)) {
			n, size = n+1, size+1+len(line)
			continue
		}
		emit(first, i-1)
		first, n, size = i, 1, len(line)
	}
	emit(first, len(lines)-1)
}

// fits reports whether a line of size next bytes may join an event of n lines and size
// bytes.
func (r *Rule) fits(n, size, next int) bool {
	return n < r.maxLines && size+1+next <= r.maxBytes
}

// continues reports whether line continues the event before it, and the state after it.
func (r *Rule) continues(s state, line []byte) (bool, state) {
	switch r.mode {
	case modeStackTraces:
		return stackTrace(s, line)
	case modeStart:
		return !r.re.Match(line), plain
	case modeContinuation:
		return r.re.Match(line), plain
	}
	return false, plain
}

// trimEOL drops the line ending; a stray '\r' before it goes too, as the processor does.
func trimEOL(b []byte) []byte {
	n := len(b)
	for n > 0 && (b[n-1] == '\n' || b[n-1] == '\r') {
		n--
	}
	return b[:n]
}
