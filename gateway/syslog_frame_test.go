package gateway

import (
	"io"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

// TestSyslogBadFrameLosesOnlyItself: a malformed frame is dropped and counted; the
// messages around it are published and the connection stays open.
func TestSyslogBadFrameLosesOnlyItself(t *testing.T) {
	tok := `[auth@32473 token="a-in"]`
	before, after, later := msg("app", tok, "before"), msg("app", tok, "after"), msg("app", tok, "later")
	tests := []struct {
		name, wire, reason string
		want               []string
	}{
		{"20-digit octet count", counted(before) + "12345678901234567890 " + msg("app", tok, "bad") + counted(after), "bad_octet_count",
			[]string{"before", "after"}},
		{"zero octet count", counted(before) + "0 " + counted(after), "bad_octet_count", []string{"before", "after"}},
		// The NUL ends a message, as NUL-framing senders use it; what follows it up to the
		// line end is no message and goes.
		{"NUL inside an LF-framed message", before + "\n" + msg("app", tok, "half") + "\x00and the rest\n" + after + "\n", "nul_in_message",
			[]string{"before", "half", "after"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSyslogFixture(t, 0, nil)
			addr, _ := f.serveSyslog(t, nil)
			c := write(t, addr, tt.wire)
			var want []string
			for _, w := range tt.want {
				want = append(want, msg("app", "-", w))
			}
			require.Equal(t, map[string][]string{"a/syslog": want}, byStream(f.waitRecords(t, len(want))))
			waitUntil(t, "the bad frame counted", metricAt(f.gw.syslog.dropped.WithLabelValues("", "syslog-tcp", tt.reason), positive))
			_, err := io.WriteString(c, counted(later))
			require.NoError(t, err)
			require.Equal(t, map[string][]string{"a/syslog": {msg("app", "-", "later")}}, byStream(f.waitRecords(t, 1)),
				"the connection goes on")
			require.Zero(t, testutil.CollectAndCount(f.gw.metrics.rejected), "nothing closed the connection")
		})
	}
}
