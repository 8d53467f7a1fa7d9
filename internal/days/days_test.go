package days

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseDuration(t *testing.T) {
	for s, want := range map[string]time.Duration{"90s": 90 * time.Second, "24h": 24 * time.Hour, "30d": 30 * 24 * time.Hour, "0d": 0, "1h30m": 90 * time.Minute} {
		got, err := ParseDuration(s)
		require.NoError(t, err, s)
		require.Equal(t, want, got, s)
	}
	for _, s := range []string{"", "d", "-1d", "1.5d", "70000d", "-5m", "5", "five minutes"} {
		_, err := ParseDuration(s)
		require.Error(t, err, s)
	}
}
