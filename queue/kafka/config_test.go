package kafka

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/configtest"
)

func TestConfigs(t *testing.T) {
	no := false
	tests := []struct {
		file string
		want Config
	}{
		{"empty.yaml", DefaultConfig()},
		{"good.yaml", Config{
			Brokers:           []string{"kafka-1.internal:9093", "kafka-2.internal:9093", "kafka-3.internal:9093"},
			Prefix:            "prod",
			ClientID:          "trolly-gateway",
			Partitions:        32,
			ReplicationFactor: 3,
			CreateTopics:      &no,
			MaxLagBytes:       1 << 30,
			MaxMessageBytes:   4 << 20,
			Compression:       "zstd",
			Linger:            5 * time.Millisecond,
			CommitInterval:    2 * time.Second,
			FetchMaxWait:      250 * time.Millisecond,
			HeartbeatInterval: time.Second,
			SessionTimeout:    30 * time.Second,
			RebalanceTimeout:  45 * time.Second,
			TLS:               TLSConfig{Enabled: true, CAFile: "/etc/trolly/kafka-ca.pem"},
			SASL:              SASLConfig{Mechanism: SASLScramSHA512, Username: "trolly", Password: "secret"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			cfg, err := configtest.Load[Config](t, filepath.Join("testdata", tc.file))
			require.NoError(t, err)
			require.Equal(t, tc.want, cfg)
		})
	}
}

func TestDefaultConfig(t *testing.T) {
	yes := true
	require.Equal(t, Config{
		Brokers: []string{"127.0.0.1:9092"}, Prefix: "trolly", ClientID: "trolly",
		Partitions: 16, ReplicationFactor: 1, CreateTopics: &yes,
		MaxLagBytes: 256 << 20, MaxMessageBytes: 1 << 20, Compression: "snappy",
		CommitInterval: time.Second, FetchMaxWait: 500 * time.Millisecond,
		HeartbeatInterval: 3 * time.Second, SessionTimeout: 45 * time.Second, RebalanceTimeout: 60 * time.Second,
	}, DefaultConfig())
	require.NoError(t, DefaultConfig().Validate())
}

func TestBadConfigs(t *testing.T) {
	configtest.RunBad[Config](t, "testdata")
}

func TestNewValidates(t *testing.T) {
	_, err := New(Config{Partitions: -1}, nil, nil)
	require.ErrorContains(t, err, "partitions: must be between 1 and 10000, got -1")
}
