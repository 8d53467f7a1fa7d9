package multiline

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// clock is the test's time: it moves only when the test says so.
type clock struct{ now time.Time }

func (c *clock) advance(d time.Duration) time.Time {
	c.now = c.now.Add(d)
	return c.now
}

func strs(events [][]byte) []string {
	out := make([]string, 0, len(events))
	for _, e := range events {
		out = append(out, string(e))
	}
	return out
}

// joinAll feeds lines to a Joiner at one instant and flushes it at the end.
func joinAll(r *Rule, lines [][]byte, now time.Time) []string {
	j := NewJoiner(r)
	var events []string
	for _, l := range lines {
		events = append(events, strs(j.Add(l, now))...)
	}
	if ev := j.Flush(); ev != nil {
		events = append(events, string(ev))
	}
	return events
}

func TestJoinerMatchesGroup(t *testing.T) {
	text, want := readEvents(t, "stack_traces.txt")
	now := time.Date(2024, 5, 14, 9, 0, 0, 0, time.UTC)
	for _, raw := range []string{
		`{"preset": "stack_traces"}`,
		`{"preset": "stack_traces", "max_lines": 3}`,
		`{"preset": "stack_traces", "max_bytes": 200}`,
		`{"start": "^\\d{4}[-/]"}`,
		`{"continuation": "^\\s"}`,
	} {
		t.Run(raw, func(t *testing.T) {
			r := mustCompile(t, raw)
			lines := splitLines(text, "\r\n")
			require.Equal(t, groupLines(r, lines), joinAll(r, lines, now))
		})
	}
	require.Equal(t, want, joinAll(mustCompile(t, `{"preset": "stack_traces"}`), splitLines(text, "\n"), now))
}

func TestJoinerMaxWait(t *testing.T) {
	c := &clock{now: time.Date(2024, 5, 14, 9, 0, 0, 0, time.UTC)}
	j := NewJoiner(mustCompile(t, `{"preset": "stack_traces", "max_wait": "2s"}`))

	_, ok := j.Deadline()
	require.False(t, ok, "nothing pending")
	require.False(t, j.Due(c.now))
	require.Nil(t, j.Flush())

	start := c.now
	require.Empty(t, j.Add([]byte("Error: boom\n"), c.now))
	require.Empty(t, j.Add([]byte("    at f (a.js:1:1)\n"), c.advance(time.Second)))
	deadline, ok := j.Deadline()
	require.True(t, ok)
	require.Equal(t, start.Add(2*time.Second), deadline, "counted from the first line")
	require.False(t, j.Due(c.advance(999*time.Millisecond)))
	require.True(t, j.Due(c.advance(time.Millisecond)))
	require.Equal(t, "Error: boom\n    at f (a.js:1:1)", string(j.Flush()))
	require.False(t, j.Due(c.now))

	// A line that comes late completes the event that waited, even when it continues it.
	require.Empty(t, j.Add([]byte("Error: again"), c.now))
	require.Equal(t, []string{"Error: again"}, strs(j.Add([]byte("    at g (b.js:2:2)"), c.advance(3*time.Second))))
	deadline, _ = j.Deadline()
	require.Equal(t, c.now.Add(2*time.Second), deadline, "the late line waits anew")
	require.Equal(t, "    at g (b.js:2:2)", string(j.Flush()))
}

func TestJoinerBounds(t *testing.T) {
	now := time.Date(2024, 5, 14, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, rule string
		lines      []string
		want       [][]string // the events each Add returns
	}{{
		name:  "complete at max_lines without waiting",
		rule:  `{"preset": "stack_traces", "max_lines": 2}`,
		lines: []string{"Error: x", "  at a", "  at b", "next"},
		want:  [][]string{{}, {"Error: x\n  at a"}, {}, {"  at b"}},
	}, {
		name:  "line past max_bytes ends the event before it",
		rule:  `{"preset": "stack_traces", "max_bytes": 12}`,
		lines: []string{"Error: x", "  at a", "  b"},
		want:  [][]string{{}, {"Error: x"}, {}},
	}, {
		name:  "line as long as max_bytes is complete at once",
		rule:  `{"preset": "stack_traces", "max_bytes": 6}`,
		lines: []string{"Error: x", "  at a", "  at"},
		want:  [][]string{{"Error: x"}, {"  at a"}, {}},
	}, {
		name:  "no rule",
		lines: []string{"a", "  b"},
		want:  [][]string{{"a"}, {"  b"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r *Rule
			if tt.rule != "" {
				r = mustCompile(t, tt.rule)
			}
			j := NewJoiner(r)
			for i, l := range tt.lines {
				require.Equal(t, tt.want[i], strs(j.Add([]byte(l+"\n"), now)), "line %d %q", i, l)
			}
		})
	}
}

func TestJoinerOwnsNothing(t *testing.T) {
	j := NewJoiner(mustCompile(t, `{"preset": "stack_traces", "max_lines": 2}`))
	now := time.Date(2024, 5, 14, 9, 0, 0, 0, time.UTC)
	line := []byte("Error: x\n")
	require.Empty(t, j.Add(line, now))
	copy(line, "XXXXXXXX")
	done := j.Add([]byte("  at a"), now)
	require.Equal(t, []string{"Error: x\n  at a"}, strs(done))
	ev := done[0]
	j.Add([]byte("Error: y"), now)
	j.Add([]byte("  at b"), now)
	require.Equal(t, "Error: x\n  at a", string(ev), "an event is the caller's")
	require.Equal(t, 1, strings.Count(string(ev), "\n"))
}
