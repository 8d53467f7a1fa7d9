package processor

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/configtest"
)

func TestBadConfigs(t *testing.T) {
	configtest.RunBad[Config](t, "testdata/config")
}

func TestGoodConfigs(t *testing.T) {
	tests := map[string]Config{
		"full.good.yaml":  {Workers: 4, BatchSize: 32, RetryMin: 5 * time.Millisecond, RetryMax: time.Second, MaxMessageBytes: 65536, MaxAttempts: 5},
		"empty.good.yaml": DefaultConfig(),
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := configtest.Load[Config](t, filepath.Join("testdata/config", name))
			require.NoError(t, err)
			require.Equal(t, want, c)
		})
	}
}

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	require.NoError(t, c.Validate())
	require.Equal(t, runtime.GOMAXPROCS(0), c.Workers)
	require.Equal(t, DefaultBatchSize, c.BatchSize)
	require.Equal(t, DefaultRetryMin, c.RetryMin)
	require.Equal(t, DefaultRetryMax, c.RetryMax)
	require.Equal(t, DefaultMaxMessageBytes, c.MaxMessageBytes)
	require.Equal(t, DefaultMaxAttempts, c.MaxAttempts)
}

func TestValidateReportsEveryKey(t *testing.T) {
	err := Config{Workers: -1, BatchSize: -1, RetryMin: -1, RetryMax: -1, MaxMessageBytes: -1, MaxAttempts: -1}.Validate()
	require.Error(t, err)
	for _, key := range []string{"workers:", "batch_size:", "retry_min:", "retry_max:", "max_message_bytes:", "max_attempts:"} {
		require.True(t, strings.Contains(err.Error(), key), "%s missing from %q", key, err)
	}
}

func TestSanitize(t *testing.T) {
	c := sanitize(Config{Workers: -3, BatchSize: -1, RetryMin: -time.Second, RetryMax: time.Nanosecond, MaxMessageBytes: -1, MaxAttempts: -1})
	require.NoError(t, c.Validate())
	require.Equal(t, runtime.GOMAXPROCS(0), c.Workers)
	require.Equal(t, DefaultBatchSize, c.BatchSize)
	require.Equal(t, DefaultRetryMin, c.RetryMin)
	require.Equal(t, DefaultRetryMin, c.RetryMax)
	require.Equal(t, DefaultMaxMessageBytes, c.MaxMessageBytes)
	require.Equal(t, DefaultMaxAttempts, c.MaxAttempts)
}
