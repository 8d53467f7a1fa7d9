package multiline

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/corpustest"
)

// groupLines returns the events Group makes of lines, each its lines joined by '\n' without
// their endings.
func groupLines(r *Rule, lines [][]byte) []string {
	var events []string
	r.Group(lines, func(first, last int) {
		parts := make([]string, 0, last-first+1)
		for _, l := range lines[first : last+1] {
			parts = append(parts, string(trimEOL(l)))
		}
		events = append(events, strings.Join(parts, "\n"))
	})
	return events
}

// splitLines cuts text into lines that keep their ending eol.
func splitLines(text, eol string) [][]byte {
	var lines [][]byte
	for l := range strings.Lines(text) {
		lines = append(lines, []byte(strings.TrimSuffix(l, "\n")+eol))
	}
	return lines
}

// readEvents reads a file of events separated by "=====" lines: the lines, and the events
// expected of them.
func readEvents(t *testing.T, name string) (text string, events []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	events = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n=====\n")
	return strings.Join(events, "\n") + "\n", events
}

func mustCompile(t testing.TB, raw string) *Rule {
	t.Helper()
	r, err := Compile(json.RawMessage(raw))
	require.NoError(t, err)
	return r
}

func TestGroupStackTraces(t *testing.T) {
	text, want := readEvents(t, "stack_traces.txt")
	r := mustCompile(t, `{"preset": "stack_traces"}`)
	for _, eol := range []string{"\n", "\r\n", ""} {
		t.Run("eol "+strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(eol), func(t *testing.T) {
			require.Equal(t, want, groupLines(r, splitLines(text, eol)))
		})
	}
}

// TestGroupCorpus checks that real logs without traces join nothing.
func TestGroupCorpus(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(corpustest.Require(t), "*.log"))
	require.NoError(t, err)
	require.NotEmpty(t, names, "public log samples")
	r := mustCompile(t, `{"preset": "stack_traces"}`)
	for _, name := range names {
		t.Run(filepath.Base(name), func(t *testing.T) {
			b, err := os.ReadFile(name)
			require.NoError(t, err)
			lines := bytes.SplitAfter(b, []byte("\n"))
			next := 0
			r.Group(lines, func(first, last int) {
				require.Equal(t, next, first)
				require.Equal(t, first, last, "joined lines %d-%d: %q", first, last, lines[first:last+1])
				next = last + 1
			})
			require.Equal(t, len(lines), next)
		})
	}
}

func TestGroupRegexp(t *testing.T) {
	tests := []struct {
		name, rule string
		lines      string
		want       []string
	}{{
		name:  "start",
		rule:  `{"start": "^\\d{4}-\\d\\d-\\d\\d "}`,
		lines: "orphan\n2024-05-14 a\nmore of a\n\n2024-05-14 b\n2024-05-14 c\n  c2\n",
		want:  []string{"orphan", "2024-05-14 a\nmore of a\n", "2024-05-14 b", "2024-05-14 c\n  c2"},
	}, {
		name:  "continuation",
		rule:  `{"continuation": "^(\\s|\\+)"}`,
		lines: " lone\nSELECT *\n  FROM t\n+ WHERE x\nnext\n",
		want:  []string{" lone", "SELECT *\n  FROM t\n+ WHERE x", "next"},
	}, {
		name:  "continuation unanchored",
		rule:  `{"continuation": "\\\\$"}`,
		lines: "a \\\nb \\\nc\nd\n",
		want:  []string{"a \\\nb \\", "c", "d"},
	}, {
		name:  "ending not matched",
		rule:  `{"continuation": "^x$"}`,
		lines: "a\r\nx\r\nxx\r\n",
		want:  []string{"a\nx", "xx"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustCompile(t, tt.rule)
			require.Equal(t, tt.want, groupLines(r, splitLines(tt.lines, "")), "lines without endings")
			require.Equal(t, tt.want, groupLines(r, bytes.SplitAfter([]byte(tt.lines), []byte("\n"))[:strings.Count(tt.lines, "\n")]))
		})
	}
}

func TestGroupBounds(t *testing.T) {
	trace := "Error: x\n  at a\n  at b\n  at c\n  at d\nnext\n"
	tests := []struct {
		name, rule, lines string
		want              []string
	}{{
		name:  "max_lines",
		rule:  `{"preset": "stack_traces", "max_lines": 2}`,
		lines: trace,
		want:  []string{"Error: x\n  at a", "  at b\n  at c", "  at d", "next"},
	}, {
		name:  "max_lines 1 joins nothing",
		rule:  `{"continuation": ".*", "max_lines": 1}`,
		lines: "a\nb\n",
		want:  []string{"a", "b"},
	}, {
		name:  "max_bytes exactly",
		rule:  `{"preset": "stack_traces", "max_bytes": 15}`, // "Error: x\n  at a" is 15
		lines: trace,
		want:  []string{"Error: x\n  at a", "  at b\n  at c", "  at d", "next"},
	}, {
		name:  "max_bytes one short",
		rule:  `{"preset": "stack_traces", "max_bytes": 14}`,
		lines: trace,
		want:  []string{"Error: x", "  at a\n  at b", "  at c\n  at d", "next"},
	}, {
		name:  "max_bytes ignores line endings",
		rule:  `{"preset": "stack_traces", "max_bytes": 15}`,
		lines: strings.ReplaceAll(trace, "\n", "\r\n"),
		want:  []string{"Error: x\n  at a", "  at b\n  at c", "  at d", "next"},
	}, {
		name:  "line longer than max_bytes",
		rule:  `{"preset": "stack_traces", "max_bytes": 4}`,
		lines: "Error: long\n  at\n  at a\n\tb\n",
		want:  []string{"Error: long", "  at", "  at a", "\tb"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustCompile(t, tt.rule)
			require.Equal(t, tt.want, groupLines(r, bytes.SplitAfter([]byte(tt.lines), []byte("\n"))[:strings.Count(tt.lines, "\n")]))
		})
	}
}

func TestGroupNoRule(t *testing.T) {
	r := mustCompile(t, `null`)
	require.Nil(t, r)
	require.Equal(t, []string{"a", "  b", "c"}, groupLines(r, splitLines("a\n  b\nc\n", "\n")))
	require.Nil(t, groupLines(mustCompile(t, `{"preset": "stack_traces"}`), nil))
}
