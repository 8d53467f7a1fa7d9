package search

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/configtest"
	"github.com/trolly-logs/trolly/internal/sink"
)

func TestIndexerConfig(t *testing.T) {
	c, err := configtest.Load[IndexerConfig](t, "testdata/indexer/good.yaml")
	require.NoError(t, err)
	require.Equal(t, IndexerConfig{BatchSize: 256, Workers: 3, RetryBackoff: time.Second, MaxRetryBackoff: time.Minute,
		Policy: sink.Policy{DeadLetterAttempts: 5, DeadLetterAge: 10 * time.Minute, UnreadyAfter: 30 * time.Second}}, c)

	def := DefaultIndexerConfig()
	require.NoError(t, def.Validate())
	require.Equal(t, DefaultIndexerBatchSize, def.BatchSize)

	long := IndexerConfig{RetryBackoff: time.Minute}
	long.ApplyDefaults()
	require.NoError(t, long.Validate(), "the default cap grows to a longer first backoff")
}

func TestBadIndexerConfigs(t *testing.T) {
	configtest.RunBad[IndexerConfig](t, "testdata/indexer")
}
