package jsonstr

import (
	"encoding/json"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestAppendUnescaped(t *testing.T) {
	for _, s := range []string{``, `plain`, `a\"b\\c\/d`, `\b\f\n\r\t`, `\u00e9t\u00E9`, `\ud83d\ude00`,
		`lone \ud83d here`, `\ude00 low first`, `\ud83d\u0041`, `caf\u00e9 \u2603`} {
		var want string
		require.NoError(t, json.Unmarshal([]byte(`"`+s+`"`), &want), s)
		require.Equal(t, want, string(AppendUnescaped(nil, []byte(s))), s)
	}
}

// FuzzAppendUnescaped checks the decoding against encoding/json on every valid string.
func FuzzAppendUnescaped(f *testing.F) {
	for _, s := range []string{`a\"b`, `\ud83d\ude00`, `\ud83d`, `\u00e9`, `x\\y`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		quoted := []byte(`"` + s + `"`)
		var want string
		if !utf8.ValidString(s) || json.Unmarshal(quoted, &want) != nil {
			return // not valid string content, which the callers check first
		}
		got := AppendUnescaped(nil, []byte(s))
		require.Equal(t, want, string(got), "%s", strconv.Quote(s))
		require.LessOrEqual(t, len(got), len(s))
	})
}

func TestEscapeLen(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{`\n rest`, 2}, {`\"`, 2}, {`\/`, 2}, {`\u00e9`, 6}, {`\u00E9x`, 6},
		{`\x`, 0}, {`\u00g9`, 0}, {`\u00e`, 0}, {`\`, 0}, {`n`, 0}, {``, 0},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, EscapeLen([]byte(tt.in)), tt.in)
	}
}

// TestAppendEscapedByte round-trips every byte that needs an escape through encoding/json.
func TestAppendEscapedByte(t *testing.T) {
	for c := range byte(0x20) {
		for _, b := range []byte{c, '"', '\\'} {
			quoted := append(AppendEscapedByte([]byte{'"'}, b), '"')
			var got string
			require.NoError(t, json.Unmarshal(quoted, &got), "%q", quoted)
			require.Equal(t, string([]byte{b}), got)
			require.Equal(t, len(quoted)-2, EscapeLen(quoted[1:]), "%q", quoted)
		}
	}
}

func TestSkip(t *testing.T) {
	tests := []struct {
		name, in string
		want     int // where the value ends
	}{
		{"string", `"a\"]}" ,1`, 7},
		{"string ending in an escaped backslash", `"a\\",1`, 5},
		{"object", `{"a":[1,{"b":"]"}],"c":null} ,`, 28},
		{"array", `[[],{},"["]x`, 11},
		{"number", `-1.5e3,`, 6},
		{"literal", `true}`, 4},
		{"at the end", `null`, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Skip([]byte(tt.in), 0), tt.in)
		})
	}
	require.Equal(t, 4, Skip([]byte(`1, 2`), 3), "a value after others")
}

func TestEndString(t *testing.T) {
	end, escaped := EndString([]byte(`x"a\nb"y`), 1)
	require.Equal(t, 7, end)
	require.True(t, escaped)
	end, escaped = EndString([]byte(`"ab"`), 0)
	require.Equal(t, 4, end)
	require.False(t, escaped)
}
