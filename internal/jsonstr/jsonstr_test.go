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
