package memory_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/trolly-logs/trolly/queue/memory"
)

// loadConfig reads a config file strictly and applies the defaults.
func loadConfig(t *testing.T, name string) (memory.Config, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	defer f.Close()
	var cfg memory.Config
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return cfg, err
	}
	cfg.ApplyDefaults()
	return cfg, cfg.Validate()
}

func TestConfigs(t *testing.T) {
	tests := []struct {
		file string
		want memory.Config
	}{
		{"empty.yaml", memory.DefaultConfig()},
		{"good.yaml", memory.Config{MaxBytes: 1 << 20, Partitions: 8}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			cfg, err := loadConfig(t, tc.file)
			require.NoError(t, err)
			require.Equal(t, tc.want, cfg)
			_, err = memory.New(cfg, nil)
			require.NoError(t, err)
		})
	}
	require.Equal(t, memory.Config{MaxBytes: 256 << 20, Partitions: 64}, memory.DefaultConfig())
}

func TestBadConfigs(t *testing.T) {
	tests := []struct {
		file string
		want []string // substrings of the error
	}{
		{"negative_max_bytes.bad.yaml", []string{"max_bytes: must be > 0, got -1"}},
		{"negative_partitions.bad.yaml", []string{"partitions: must be between 1 and 65536, got -4"}},
		{"too_many_partitions.bad.yaml", []string{"partitions: must be between 1 and 65536, got 100000"}},
		{"unknown_key.bad.yaml", []string{"field max_byte not found"}},
		{"two_errors.bad.yaml", []string{"max_bytes: must be > 0", "partitions: must be between"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			_, err := loadConfig(t, tc.file)
			require.Error(t, err)
			for _, want := range tc.want {
				require.ErrorContains(t, err, want)
			}
		})
	}
}

func TestNewValidates(t *testing.T) {
	_, err := memory.New(memory.Config{Partitions: -1}, nil)
	require.ErrorContains(t, err, "partitions: must be between 1 and 65536, got -1")
}
