package processor

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func loadConfig(t *testing.T, path string) (Config, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func TestBadConfigs(t *testing.T) {
	want := map[string]string{
		"negative_workers.bad.yaml":           "workers: must be >= 0",
		"negative_batch_size.bad.yaml":        "batch_size: must be >= 0",
		"negative_retry_min.bad.yaml":         "retry_min: must be >= 0",
		"retry_max_below_min.bad.yaml":        "retry_max: must be >= retry_min",
		"unknown_key.bad.yaml":                "field threads not found",
		"not_a_number.bad.yaml":               "cannot unmarshal",
		"negative_max_message_bytes.bad.yaml": "max_message_bytes: must be >= 0",
	}
	files, err := filepath.Glob("testdata/config/*.bad.yaml")
	require.NoError(t, err)
	require.Len(t, files, len(want), "every bad config has an expected error")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := loadConfig(t, f)
			require.ErrorContains(t, err, want[filepath.Base(f)])
		})
	}
}

func TestGoodConfigs(t *testing.T) {
	tests := map[string]Config{
		"full.good.yaml":  {Workers: 4, BatchSize: 32, RetryMin: 5 * time.Millisecond, RetryMax: time.Second, MaxMessageBytes: 65536},
		"empty.good.yaml": DefaultConfig(),
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := loadConfig(t, filepath.Join("testdata/config", name))
			require.NoError(t, err)
			c.ApplyDefaults()
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
}

func TestValidateReportsEveryKey(t *testing.T) {
	err := Config{Workers: -1, BatchSize: -1, RetryMin: -1, RetryMax: -1, MaxMessageBytes: -1}.Validate()
	require.Error(t, err)
	for _, key := range []string{"workers:", "batch_size:", "retry_min:", "retry_max:", "max_message_bytes:"} {
		require.True(t, strings.Contains(err.Error(), key), "%s missing from %q", key, err)
	}
}

func TestSanitize(t *testing.T) {
	c := sanitize(Config{Workers: -3, BatchSize: -1, RetryMin: -time.Second, RetryMax: time.Nanosecond, MaxMessageBytes: -1})
	require.NoError(t, c.Validate())
	require.Equal(t, runtime.GOMAXPROCS(0), c.Workers)
	require.Equal(t, DefaultBatchSize, c.BatchSize)
	require.Equal(t, DefaultRetryMin, c.RetryMin)
	require.Equal(t, DefaultRetryMin, c.RetryMax)
	require.Equal(t, DefaultMaxMessageBytes, c.MaxMessageBytes)
}
