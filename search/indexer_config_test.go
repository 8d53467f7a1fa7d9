package search

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func loadIndexerConfig(t *testing.T, path string) (IndexerConfig, error) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, f.Close()) })
	var c IndexerConfig
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return c, err
	}
	c.ApplyDefaults()
	return c, c.Validate()
}

func TestIndexerConfig(t *testing.T) {
	c, err := loadIndexerConfig(t, "testdata/indexer.good.yaml")
	require.NoError(t, err)
	require.Equal(t, IndexerConfig{BatchSize: 256, RetryBackoff: time.Second, MaxRetryBackoff: time.Minute}, c)

	def := DefaultIndexerConfig()
	require.NoError(t, def.Validate())
	require.Equal(t, DefaultIndexerBatchSize, def.BatchSize)

	long := IndexerConfig{RetryBackoff: time.Minute}
	long.ApplyDefaults()
	require.NoError(t, long.Validate(), "the default cap grows to a longer first backoff")
}

func TestBadIndexerConfigs(t *testing.T) {
	want := map[string]string{
		"indexer-batch-size.bad.yaml":        "batch_size: must be between 1 and 10000, got -5",
		"indexer-batch-size-huge.bad.yaml":   "batch_size: must be between 1 and 10000, got 1000000",
		"indexer-retry-backoff.bad.yaml":     "retry_backoff: must be > 0, got -1s",
		"indexer-max-retry-backoff.bad.yaml": "max_retry_backoff: must be at least retry_backoff (10s), got 1s",
		"indexer-unknown-key.bad.yaml":       "field batchsize not found",
	}
	files, err := filepath.Glob("testdata/indexer*.bad.yaml")
	require.NoError(t, err)
	require.Len(t, files, len(want))
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			msg, ok := want[filepath.Base(path)]
			require.True(t, ok, "no expected error for %s", path)
			_, err := loadIndexerConfig(t, path)
			require.ErrorContains(t, err, msg)
		})
	}
}
