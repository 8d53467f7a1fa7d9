package sqlite

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func loadConfig(t *testing.T, path string) (Config, error) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, f.Close()) })
	var c Config
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return c, err
	}
	c.ApplyDefaults()
	return c, c.Validate()
}

func TestGoodConfig(t *testing.T) {
	c, err := loadConfig(t, "testdata/good.yaml")
	require.NoError(t, err)
	require.Equal(t, Config{Dir: "/var/lib/trolly/search", MaxOpenIndices: 32, MaxConnsPerIndex: 2, BusyTimeout: 5 * time.Second}, c)

	var empty Config
	empty.ApplyDefaults()
	require.EqualError(t, empty.Validate(), "dir: is required", "every other field has a default")
	_, err = Open(Config{}, nil, nil)
	require.ErrorContains(t, err, "dir: is required")
}

func TestBadConfigs(t *testing.T) {
	want := map[string]string{
		"no-dir.bad.yaml":           "dir: is required",
		"max-open-indices.bad.yaml": "max_open_indices: must be > 0, got -1",
		"max-conns.bad.yaml":        "max_conns_per_index: must be > 0, got -2",
		"busy-timeout.bad.yaml":     "busy_timeout: must be at least 1ms, got 500µs",
		"unknown-key.bad.yaml":      "field max_open_index not found",
	}
	files, err := filepath.Glob("testdata/*.bad.yaml")
	require.NoError(t, err)
	require.Len(t, files, len(want))
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			msg, ok := want[filepath.Base(path)]
			require.True(t, ok, "no expected error for %s", path)
			_, err := loadConfig(t, path)
			require.ErrorContains(t, err, msg)
		})
	}
}
