package multiline

import "time"

// Joiner joins the lines of one stream as they arrive, such as those of a syslog TCP
// connection. It makes the same events as Group would from the same lines, except that an
// event ends when its first line has waited the rule's max_wait: the caller checks Due (or
// reads until Deadline) and calls Flush; Add checks it too. It runs no goroutine and reads no clock; the caller
// passes the time. A Joiner is not safe for concurrent use.
type Joiner struct {
	rule  *Rule
	buf   []byte // the pending event, joined
	lines int    // in buf; 0 when nothing is pending
	state state
	since time.Time // when the pending event's first line arrived
	done  [][]byte
}

// NewJoiner returns a Joiner of r; a nil r joins nothing.
func NewJoiner(r *Rule) *Joiner {
	if r == nil {
		r = &Rule{mode: modeNone, maxLines: 1, maxBytes: DefaultMaxBytes, maxWait: DefaultMaxWait}
	}
	return &Joiner{rule: r}
}

// Add takes the next line, whose ending ("\n", "\r\n") it drops, and returns the events it
// completes, in order: the pending one when line does not continue it, when it waited
// max_wait by now, or when line would take it past a bound; and the new one at once when it
// cannot take another line. Each event is a new slice of the lines joined by '\n', the
// caller's to keep; the returned list is reused by the next call to Add.
func (j *Joiner) Add(line []byte, now time.Time) (done [][]byte) {
	line = trimEOL(line)
	j.done = j.done[:0]
	if j.Due(now) {
		j.done = append(j.done, j.Flush())
	}
	cont, s := j.rule.continues(j.state, line)
	j.state = s
	switch {
	case j.lines > 0 && cont && j.rule.fits(j.lines, len(j.buf), len(line)):
		j.buf = append(append(j.buf, '\n'), line...)
		j.lines++
	case j.lines > 0:
		j.done = append(j.done, j.Flush())
		fallthrough
	default:
		j.buf = append(make([]byte, 0, len(line)), line...)
		j.lines, j.since = 1, now
	}
	if !j.rule.fits(j.lines, len(j.buf), 0) {
		j.done = append(j.done, j.Flush())
	}
	return j.done
}

// Due reports whether the pending event's first line has waited max_wait by now.
func (j *Joiner) Due(now time.Time) bool {
	deadline, ok := j.Deadline()
	return ok && !now.Before(deadline)
}

// Deadline is when the pending event is due, and false when nothing is pending: a
// listener may read with this deadline, then Flush.
func (j *Joiner) Deadline() (time.Time, bool) {
	if j.lines == 0 {
		return time.Time{}, false
	}
	return j.since.Add(j.rule.maxWait), true
}

// Flush returns the pending event, the caller's to keep, or nil when nothing is pending.
// Lines that follow may still continue a trace the event was in, as they would after a
// bound: they start the next event.
func (j *Joiner) Flush() []byte {
	if j.lines == 0 {
		return nil
	}
	ev := j.buf
	j.buf, j.lines = nil, 0
	return ev
}
