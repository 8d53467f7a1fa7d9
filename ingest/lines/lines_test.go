package lines

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/ingest"
)

func texts(recs []ingest.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Data)
	}
	return out
}

func TestText(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"lf", "a\nb\n", []string{"a", "b"}},
		{"crlf", "a\r\nb\r\n", []string{"a", "b"}},
		{"no final newline", "a\nb", []string{"a", "b"}},
		{"blank lines skipped", "\n\na\n  \r\n\tb\n\n", []string{"a", "\tb"}},
		{"stray cr inside kept", "a\rb\n", []string{"a\rb"}},
		{"empty", "", []string{}},
		{"invalid utf-8 kept", "\xff\xfe\n", []string{"\xff\xfe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := Text([]byte(tt.body), 100)
			require.NoError(t, err)
			require.Equal(t, tt.want, texts(recs))
			for _, r := range recs {
				require.False(t, r.JSON)
			}
		})
	}
}

func TestNDJSON(t *testing.T) {
	recs, err := NDJSON([]byte("{\"a\":1}\r\n\n {\"message\":\"hi\"}\n"), 100)
	require.NoError(t, err)
	require.Equal(t, []string{`{"a":1}`, ` {"message":"hi"}`}, texts(recs))
	for _, r := range recs {
		require.True(t, r.JSON)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		decode func([]byte, int) ([]ingest.Record, error)
		body   string
		limit  int
		kind   ingest.Kind
		line   int
		msg    string
	}{
		{"text line too long", Text, "ok\n" + strings.Repeat("x", 11) + "\n", 10, ingest.TooLarge, 2, "11 bytes, over the limit of 10"},
		{"ndjson not an object", NDJSON, "{}\n[1,2]\n", 100, ingest.Invalid, 2, "not a JSON object"},
		{"ndjson syntax", NDJSON, "{\"a\":}\n", 100, ingest.Invalid, 1, "invalid character"},
		{"ndjson two values", NDJSON, "{}{}\n", 100, ingest.Invalid, 1, "after top-level value"},
		{"ndjson plain text", NDJSON, "hello\n", 100, ingest.Invalid, 1, "not a JSON object"},
		{"ndjson too long", NDJSON, `{"message":"` + strings.Repeat("x", 20) + `"}`, 10, ingest.TooLarge, 1, "over the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.decode([]byte(tt.body), tt.limit)
			var ie *ingest.Error
			require.True(t, errors.As(err, &ie), "got %v", err)
			require.Equal(t, tt.kind, ie.Kind)
			require.Equal(t, tt.line, ie.Line)
			require.Contains(t, ie.Error(), tt.msg)
		})
	}
}

// FuzzDecode checks that decoding never panics, that every record is a non-blank line of
// the body within the limit, and that NDJSON records are JSON objects.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"a\nb", "{\"a\":1}\r\n", "\r\n\r\n", "{}{}", "  {\"x\":[1,{\"y\":null}]}\n\xff", "[]\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		const limit = 64
		for _, isJSON := range []bool{false, true} {
			recs, err := split(body, limit, isJSON)
			if err != nil {
				var ie *ingest.Error
				require.True(t, errors.As(err, &ie))
				require.Positive(t, ie.Line)
				continue
			}
			for _, r := range recs {
				require.LessOrEqual(t, len(r.Data), limit)
				require.False(t, isBlank(r.Data))
				require.NotContains(t, string(r.Data), "\n")
				require.Contains(t, string(body), string(r.Data))
				if isJSON {
					require.NoError(t, checkObject(r.Data))
				}
			}
		}
	})
}
