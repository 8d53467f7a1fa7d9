package memory_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/configtest"
	"github.com/trolly-logs/trolly/queue/memory"
)

func TestConfigs(t *testing.T) {
	tests := []struct {
		file string
		want memory.Config
	}{
		{"empty.yaml", memory.DefaultConfig()},
		{"good.yaml", memory.Config{MaxBytes: 1 << 20, Partitions: 8, MaxDeadLetters: 50, MaxBacklogBytes: 512 << 10, MaxTenantBacklogBytes: 128 << 10}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			cfg, err := configtest.Load[memory.Config](t, filepath.Join("testdata", tc.file))
			require.NoError(t, err)
			require.Equal(t, tc.want, cfg)
			_, err = memory.New(cfg, nil)
			require.NoError(t, err)
		})
	}
	require.Equal(t, memory.Config{MaxBytes: 256 << 20, Partitions: 64, MaxDeadLetters: 10000, MaxBacklogBytes: 256 << 20, MaxTenantBacklogBytes: 192 << 20}, memory.DefaultConfig())
}

func TestBadConfigs(t *testing.T) {
	configtest.RunBad[memory.Config](t, "testdata")
}

func TestNewValidates(t *testing.T) {
	_, err := memory.New(memory.Config{Partitions: -1}, nil)
	require.ErrorContains(t, err, "partitions: must be between 1 and 65536, got -1")
}
