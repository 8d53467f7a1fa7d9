package processor

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden runs testdata/golden/<source type>.<text|json>.in, one record per line, and
// compares the documents, one per line, with the .golden file beside it.
func TestGolden(t *testing.T) {
	ins, err := filepath.Glob("testdata/golden/*.in")
	require.NoError(t, err)
	require.NotEmpty(t, ins)
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in")
		t.Run(name, func(t *testing.T) {
			sourceType, format, ok := strings.Cut(name, ".")
			require.True(t, ok, "name the file <source type>.<text|json>.in")
			recFormat := map[string]trollyv1.RecordFormat{
				"text": trollyv1.RecordFormat_RECORD_FORMAT_TEXT,
				"json": trollyv1.RecordFormat_RECORD_FORMAT_JSON,
			}[format]
			require.NotZero(t, recFormat, "unknown record format %q", format)

			data, err := os.ReadFile(in)
			require.NoError(t, err)
			lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
			out, err := Process(newBatch(sourceType, recFormat, lines...))
			require.NoError(t, err)
			require.Len(t, out.GetEvents(), len(lines))

			var got bytes.Buffer
			for i, ev := range out.GetEvents() {
				requireAlwaysPresent(t, ev, sourceType, i)
				got.Write(ev.GetSource())
				got.WriteByte('\n')
			}
			golden := strings.TrimSuffix(in, ".in") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, got.Bytes(), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			require.Equal(t, string(want), got.String())
		})
	}
}
