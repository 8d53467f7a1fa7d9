package sourcetype

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUnquoteJSONLike(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, "plain"},
		{`a\"b\\c\/d\n`, "a\"b\\c/d\n"},
		{`caf\u00e9 \ud83d\ude00`, "café 😀"},
		{`C:\Windows\x`, `C:\Windows\x`}, // backslashes that start no escape stay
		{`end\`, `end\`},
		{`\u00g9 \u12`, `\u00g9 \u12`},
		{`lone \ud83d here`, "lone \uFFFD here"},
		{`\ud83d\zz`, "\uFFFD\\zz"},
		{`\x\n`, "\\x\n"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, string(unquoteJSONLike(nil, []byte(tt.in))), tt.in)
	}
}

// TestAppendJSONEscaped writes JSON that reads back as the text, and keeps a logfmt value's
// escapes when asked to.
func TestAppendJSONEscaped(t *testing.T) {
	for _, s := range []string{"plain", "q\"uote", "back\\slash", "ctl\x01\n\t", `C:\dir`} {
		var got string
		require.NoError(t, json.Unmarshal(appendJSONString(nil, []byte(s)), &got))
		require.Equal(t, s, got)
	}
	require.Equal(t, `a\n\u00e9\\x`, string(appendJSONEscaped(nil, []byte(`a\n\u00e9\x`), true)))
}
