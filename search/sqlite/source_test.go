package sqlite

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
)

// Docs are stored as JSONB and returned as compact JSON: only insignificant whitespace
// may change, never a number's digits or a string's escapes.
func TestSourceRoundTrip(t *testing.T) {
	docs := []string{
		`{"message": "plain", "n": 1}`,
		`{"precise": 1.50, "big": 12345678901234567890, "huge": 1e400, "neg": -0.0, "exp": 2E-3}`,
		`{"escapes": "tab\tquote\" back\\ nl\n \u0001 \u00e9 \ud83d\ude00 \/", "raw": "é😀"}`,
		"{\n  \"nested\": {\"empty\": {}, \"list\": [ ], \"mixed\": [1, \"a\", null, true, {\"k\": [2]}]}\n}\n",
		`{"dup": 1, "dup": 2}`,
	}
	b := open(t, t.TempDir())
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	ctx := testContext(t)
	for i, src := range docs {
		id := string(rune('a' + i))
		require.NoError(t, b.Write(ctx, "trolly-acme-2024.01.31", []search.Doc{{ID: id, Timestamp: day, Source: []byte(src)}}))
	}
	res, err := b.Search(ctx, search.Request{Tenant: "acme", Limit: 10})
	require.NoError(t, err)
	require.Len(t, res.Hits, len(docs))
	for _, h := range res.Hits {
		src := docs[h.ID[0]-'a']
		var want bytes.Buffer
		require.NoError(t, json.Compact(&want, []byte(src)))
		require.Equal(t, want.String(), string(h.Source))
	}
}
