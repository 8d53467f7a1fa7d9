package processor

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/internal/accessgen"
)

// TestCorpusApacheError reads Apache's public error log as apache_error: every line parses,
// time and all, and keeps its level and text.
func TestCorpusApacheError(t *testing.T) {
	lines := corpusLines(t)["apache_2k.log"]
	require.NotNil(t, lines, "apache_2k.log in the public log samples")
	out, st, err := NewTransformer(nil).Process(newBatch("apache_error", text, lines...))
	require.NoError(t, err)
	require.Equal(t, Stats{Events: len(lines)}, st, "no parse or timestamp failure")
	for i, ev := range out.GetEvents() {
		m := requireAlwaysPresent(t, ev, "apache_error", i)
		require.NotContains(t, m, "tags", "line %d", i+1)
		level, ok := lookup(m, "log", "level")
		require.True(t, ok, "line %d has no log.level", i+1)
		line := string(bytes.TrimRight(lines[i], "\r"))
		require.Contains(t, line, "["+level.(string)+"]", "line %d", i+1)
		require.Contains(t, line, m["message"], "line %d", i+1)
		// The corpus is from 2005, long before the batch was received.
		require.Less(t, ev.GetTimestampUnixNano(), time.Date(2006, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(), "line %d", i+1)
	}
}

func BenchmarkProcessNginxError(b *testing.B) {
	benchBatch(b, newBatch("nginx_error", text, accessgen.NginxErrorLines(1000, 1)...))
}

func BenchmarkProcessApacheError(b *testing.B) {
	lines := corpusLines(b)["apache_2k.log"]
	require.NotNil(b, lines, "apache_2k.log in the public log samples")
	benchBatch(b, newBatch("apache_error", text, lines...))
}
