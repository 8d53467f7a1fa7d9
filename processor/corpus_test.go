package processor

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/corpustest"
)

// corpusLines returns the lines of every corpus file by name, as a shipper that splits on
// LF would send them (a CR stays at the end); it skips the test when the corpus is missing.
func corpusLines(tb testing.TB) map[string][][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(corpustest.Require(tb), "*.log"))
	require.NoError(tb, err)
	require.NotEmpty(tb, files, "public log samples")
	out := make(map[string][][]byte, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(tb, err)
		data = bytes.TrimSuffix(data, []byte("\n"))
		out[filepath.Base(f)] = bytes.Split(data, []byte("\n"))
	}
	return out
}

func TestCorpusAsText(t *testing.T) {
	for name, lines := range corpusLines(t) {
		t.Run(name, func(t *testing.T) {
			require.NotEmpty(t, lines)
			out, st, err := NewTransformer(nil).Process(newBatch("text", text, lines...))
			require.NoError(t, err)
			require.Equal(t, Stats{Events: len(lines)}, st, "text never fails")
			require.Len(t, out.GetEvents(), len(lines))
			for i, ev := range out.GetEvents() {
				m := requireAlwaysPresent(t, ev, "text", i)
				want := string(bytes.TrimRight(lines[i], "\r\n"))
				require.Equal(t, want, m["message"], "line %d", i+1)
				require.NotContains(t, m, "tags", "line %d", i+1)
			}
		})
	}
}

// TestCorpusAsOtherTypes feeds the corpus to parsers it does not fit: every line is kept,
// well formed, and tagged.
func TestCorpusAsOtherTypes(t *testing.T) {
	for name, lines := range corpusLines(t) {
		for _, st := range []string{"json", "nginx_access"} {
			t.Run(name+"/"+st, func(t *testing.T) {
				out, stats, err := NewTransformer(nil).Process(newBatch(st, text, lines...))
				require.NoError(t, err)
				require.Equal(t, len(lines), stats.ParseFailures)
				for i, ev := range out.GetEvents() {
					m := requireAlwaysPresent(t, ev, st, i)
					require.Equal(t, []any{TagParseFailure}, m["tags"], "line %d", i+1)
					require.IsType(t, "", m["error"].(map[string]any)["message"])
				}
			})
		}
	}
}
