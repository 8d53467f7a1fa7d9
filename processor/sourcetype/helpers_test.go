package sourcetype

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
)

// requireParsedLine parses line in the zone loc and checks the document's fields (as JSON),
// its message and its time.
func requireParsedLine(t *testing.T, p Parser, line string, loc *time.Location, wantJSON, wantMsg string, wantTime time.Time) {
	t.Helper()
	var d ecs.Document
	require.NoError(t, p.Parse([]byte(line), &d, &Env{Location: loc}))
	require.Equal(t, wantJSON, string(d.AppendJSON(nil)))
	msg, ok := d.Message()
	require.True(t, ok)
	require.Equal(t, wantMsg, string(msg))
	ts, ok := d.Timestamp()
	require.True(t, ok)
	require.Equal(t, wantTime.UnixNano(), ts)
}
