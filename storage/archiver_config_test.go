package storage_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/trolly-logs/trolly/storage"
)

func loadArchiverConfig(t *testing.T, name string) (storage.ArchiverConfig, error) {
	data, err := os.ReadFile(filepath.Join("testdata", "archiver", name))
	require.NoError(t, err)
	var cfg storage.ArchiverConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return cfg, err
	}
	cfg.ApplyDefaults()
	return cfg, cfg.Validate()
}

func TestArchiverConfigGood(t *testing.T) {
	tests := []struct {
		file string
		want storage.ArchiverConfig
	}{
		{"full.good.yaml", storage.ArchiverConfig{
			MaxChunkBytes: 4 << 20, MaxChunkAge: time.Minute, MaxBufferedBytes: 64 << 20,
			RetryMinBackoff: 250 * time.Millisecond, RetryMaxBackoff: time.Minute, StopTimeout: 10 * time.Second,
		}},
		{"partial.good.yaml", func() storage.ArchiverConfig {
			c := storage.DefaultArchiverConfig()
			c.MaxChunkAge = 10 * time.Second
			return c
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cfg, err := loadArchiverConfig(t, tt.file)
			require.NoError(t, err)
			require.Equal(t, tt.want, cfg)
		})
	}
}

func TestArchiverConfigBad(t *testing.T) {
	tests := []struct {
		file    string
		wantErr string
	}{
		{"negative-chunk-bytes.bad.yaml", "max_chunk_bytes: must be > 0"},
		{"huge-chunk-bytes.bad.yaml", "max_chunk_bytes: must be > 0 and <= 536870912"},
		{"negative-age.bad.yaml", "max_chunk_age: must be > 0"},
		{"buffer-below-chunk.bad.yaml", "max_buffered_bytes: must be >= max_chunk_bytes"},
		{"backoff-inverted.bad.yaml", "retry_max_backoff: must be >= retry_min_backoff"},
		{"negative-stop.bad.yaml", "stop_timeout: must be > 0"},
		{"unknown-key.bad.yaml", "field max_chunk_size not found"},
		{"bad-duration.bad.yaml", "line 1: cannot unmarshal !!str `soon` into time.Duration"},
	}
	files, err := filepath.Glob(filepath.Join("testdata", "archiver", "*.bad.yaml"))
	require.NoError(t, err)
	require.Len(t, tests, len(files), "every bad config has a case")
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := loadArchiverConfig(t, tt.file)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
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
