package storage_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/configtest"
	"github.com/trolly-logs/trolly/internal/sink"
	"github.com/trolly-logs/trolly/storage"
)

func TestArchiverConfigGood(t *testing.T) {
	tests := []struct {
		file string
		want storage.ArchiverConfig
	}{
		{"full.good.yaml", storage.ArchiverConfig{
			MaxChunkBytes: 4 << 20, MaxChunkAge: time.Minute, MaxBufferedBytes: 64 << 20,
			RetryMinBackoff: 250 * time.Millisecond, RetryMaxBackoff: time.Minute, StopTimeout: 10 * time.Second,
			Policy: sink.Policy{DeadLetterAttempts: 4, DeadLetterAge: time.Hour, UnreadyAfter: 2 * time.Minute},
		}},
		{"partial.good.yaml", func() storage.ArchiverConfig {
			c := storage.DefaultArchiverConfig()
			c.MaxChunkAge = 10 * time.Second
			return c
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cfg, err := configtest.Load[storage.ArchiverConfig](t, filepath.Join("testdata", "archiver", tt.file))
			require.NoError(t, err)
			require.Equal(t, tt.want, cfg)
		})
	}
}

func TestArchiverConfigBad(t *testing.T) {
	configtest.RunBad[storage.ArchiverConfig](t, filepath.Join("testdata", "archiver"))
}

func TestArchiverConfigDefaults(t *testing.T) {
	var cfg storage.ArchiverConfig
	cfg.ApplyDefaults()
	require.Equal(t, storage.DefaultArchiverConfig(), cfg)
	require.NoError(t, cfg.Validate())
	require.Equal(t, int64(8<<20), cfg.MaxChunkBytes)
	require.Equal(t, 30*time.Second, cfg.MaxChunkAge)
	require.Equal(t, int64(128<<20), cfg.MaxBufferedBytes)
}
