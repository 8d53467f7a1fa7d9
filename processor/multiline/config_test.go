package multiline

import (
	"encoding/json"
	"errors"
	"regexp/syntax"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCompileBad(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`{}`, "multiline: give one of preset, start and continuation"},
		{`{"start": ""}`, "multiline: give one of preset, start and continuation"},
		{`{"preset": "stack_traces", "start": "^x"}`, "multiline.start: give only one of preset, start and continuation"},
		{`{"start": "^x", "continuation": "^ "}`, "multiline.continuation: give only one of preset, start and continuation"},
		{`{"preset": "java"}`, `multiline.preset: unknown preset "java"; known is stack_traces`},
		{`{"start": "(a"}`, "multiline.start: error parsing regexp: missing closing ): `(a`"},
		{`{"continuation": "(?<=x)"}`, "multiline.continuation: error parsing regexp: invalid named capture: `(?<=x)`"},
		{`{"preset": "stack_traces", "pattern": "x"}`, "multiline.pattern: unknown key; known are preset, start, continuation, max_lines, max_bytes and max_wait"},
		{`{"preset": 1}`, "multiline.preset: must be a string, not a JSON number"},
		{`{"preset": "stack_traces", "max_lines": "5"}`, "multiline.max_lines: must be a whole number, not a JSON string"},
		{`{"preset": "stack_traces", "max_lines": 1.5}`, "multiline.max_lines: must be a whole number, not a JSON number 1.5"},
		{`{"preset": "stack_traces", "max_lines": -1}`, "multiline.max_lines: must be from 1 to 10000, not -1"},
		{`{"preset": "stack_traces", "max_lines": 10001}`, "multiline.max_lines: must be from 1 to 10000, not 10001"},
		{`{"preset": "stack_traces", "max_bytes": 1048577}`, "multiline.max_bytes: must be from 1 to 1048576, not 1048577"},
		{`{"preset": "stack_traces", "max_wait": 2}`, `multiline.max_wait: must be a duration string such as "2s", not a JSON number`},
		{`{"preset": "stack_traces", "max_wait": "2"}`, `multiline.max_wait: must be a duration such as "2s", not "2"`},
		{`{"preset": "stack_traces", "max_wait": "-1s"}`, "multiline.max_wait: must be from 1ns to 1m0s, not -1s"},
		{`{"preset": "stack_traces", "max_wait": "2m"}`, "multiline.max_wait: must be from 1ns to 1m0s, not 2m"},
		{`"stack_traces"`, "multiline: must be an object, not a JSON string"},
		{`{"preset": "stack_traces"} {}`, "multiline: must be one JSON object"},
		{`{"preset": }`, "multiline: invalid character '}' looking for beginning of value"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			r, err := Compile(json.RawMessage(tt.raw))
			require.Nil(t, r)
			require.EqualError(t, err, tt.want)
			require.ErrorIs(t, err, ErrInvalid)
			var e *Error
			require.ErrorAs(t, err, &e)
		})
	}
}

func TestCompileRegexpCause(t *testing.T) {
	_, err := Compile(json.RawMessage(`{"start": "a**"}`))
	var se *syntax.Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, syntax.ErrInvalidRepeatOp, se.Code)
	require.True(t, errors.Is(err, ErrInvalid))
}

func TestCompileBounds(t *testing.T) {
	tests := []struct {
		raw                string
		maxLines, maxBytes int
		maxWait            time.Duration
	}{
		{`{"preset": "stack_traces"}`, 500, 64 << 10, 2 * time.Second},
		{`{"preset": "stack_traces", "max_lines": 0, "max_bytes": 0, "max_wait": "0s"}`, 500, 64 << 10, 2 * time.Second},
		{`{"start": "^\\d", "max_lines": 10000, "max_bytes": 1048576, "max_wait": "1m"}`, 10000, 1 << 20, time.Minute},
		{` {"continuation": "^\\s", "max_lines": 1, "max_bytes": 1, "max_wait": "250ms"} `, 1, 1, 250 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			r := mustCompile(t, tt.raw)
			require.Equal(t, tt.maxLines, r.maxLines)
			require.Equal(t, tt.maxBytes, r.maxBytes)
			require.Equal(t, tt.maxWait, r.MaxWait())
		})
	}
}

func TestCompileEmpty(t *testing.T) {
	for _, raw := range []string{``, ` `, `null`, " null\n"} {
		r, err := Compile(json.RawMessage(raw))
		require.NoError(t, err)
		require.Nil(t, r)
		require.Zero(t, r.MaxWait())
	}
}

func TestNewConfig(t *testing.T) {
	r, err := New(Config{Continuation: `^\s`, MaxLines: 2})
	require.NoError(t, err)
	require.Equal(t, []string{"a\n b", " c"}, groupLines(r, splitLines("a\n b\n c\n", "\n")))
	_, err = New(Config{Preset: "stack_traces", Start: "^x"})
	require.ErrorIs(t, err, ErrInvalid)
}
