package multiline

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fuzzRule picks a rule from the fuzzer's numbers: the preset or one of two regular
// expressions, and small bounds so that they are hit.
func fuzzRule(t *testing.T, kind uint8, maxLines, maxBytes uint16) *Rule {
	c := Config{MaxLines: int(maxLines%20) + 1, MaxBytes: int(maxBytes%300) + 1}
	switch kind % 3 {
	case 0:
		c.Preset = PresetStackTraces
	case 1:
		c.Start = `^\d`
	default:
		c.Continuation = `^(\s|at |\.\.\.)`
	}
	r, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// FuzzGroup checks that Group partitions the lines in order within the bounds, that an
// indented line starts an event only when a bound made it, and that a Joiner fed the same
// lines makes the same events.
func FuzzGroup(f *testing.F) {
	f.Add([]byte("a\n  b\nc\r\n\td\n"), uint8(0), uint16(500), uint16(1000))
	f.Add([]byte("1 x\ny\n2 z\n"), uint8(1), uint16(1), uint16(3))
	f.Add([]byte("x\n at y\n... 2 more\n\n"), uint8(2), uint16(2), uint16(10))
	f.Add([]byte("panic: x\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1\n"), uint8(0), uint16(19), uint16(299))
	f.Add([]byte("Traceback (most recent call last):\n  File \"a\"\nKeyError: 1\n\nDuring handling of the above exception, another exception occurred:\n"), uint8(0), uint16(19), uint16(299))
	if b, err := os.ReadFile(filepath.Join("testdata", "stack_traces.txt")); err == nil {
		f.Add(b, uint8(0), uint16(19), uint16(299))
	}
	now := time.Date(2024, 5, 14, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte, kind uint8, maxLines, maxBytes uint16) {
		r := fuzzRule(t, kind, maxLines, maxBytes)
		lines := bytes.SplitAfter(data, []byte("\n"))
		var events [][]byte
		next, prevLines, prevBytes := 0, 0, 0
		r.Group(lines, func(first, last int) {
			if first != next || first > last {
				t.Fatalf("event %d-%d after %d: not in order, or with a gap", first, last, next-1)
			}
			ev := bytes.Join(trimAll(lines[first:last+1]), []byte("\n"))
			if last-first+1 > r.maxLines || (first < last && len(ev) > r.maxBytes) {
				t.Fatalf("event %d-%d of %d bytes past the bounds", first, last, len(ev))
			}
			if l := lines[first]; first > 0 && kind%3 == 0 && len(l) > 0 && (l[0] == ' ' || l[0] == '\t') &&
				prevLines < r.maxLines && prevBytes+1+len(trimEOL(l)) <= r.maxBytes {
				t.Fatalf("indented line %d starts an event within the bounds", first)
			}
			events = append(events, ev)
			next, prevLines, prevBytes = last+1, last-first+1, len(ev)
		})
		if next != len(lines) {
			t.Fatalf("lines %d-%d in no event", next, len(lines)-1)
		}
		j := NewJoiner(r)
		var joined [][]byte
		for _, l := range lines {
			joined = append(joined, j.Add(l, now)...)
		}
		if ev := j.Flush(); ev != nil {
			joined = append(joined, ev)
		}
		if len(joined) != len(events) {
			t.Fatalf("Joiner made %d events, Group %d", len(joined), len(events))
		}
		for i := range events {
			if !bytes.Equal(joined[i], events[i]) {
				t.Fatalf("event %d: Joiner made %q, Group %q", i, joined[i], events[i])
			}
		}
	})
}

func trimAll(lines [][]byte) [][]byte {
	out := make([][]byte, len(lines))
	for i, l := range lines {
		out[i] = trimEOL(l)
	}
	return out
}
