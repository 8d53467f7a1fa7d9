package sqlite

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/configtest"
)

func TestGoodConfig(t *testing.T) {
	c, err := configtest.Load[Config](t, "testdata/good.yaml")
	require.NoError(t, err)
	require.Equal(t, Config{Dir: "/var/lib/trolly/search", MaxOpenIndices: 32, MaxConnsPerIndex: 2, BusyTimeout: 5 * time.Second}, c)

	var empty Config
	empty.ApplyDefaults()
	require.EqualError(t, empty.Validate(), "dir: is required", "every other field has a default")
	_, err = Open(Config{}, nil, nil)
	require.ErrorContains(t, err, "dir: is required")
}

func TestBadConfigs(t *testing.T) {
	configtest.RunBad[Config](t, "testdata")
}
