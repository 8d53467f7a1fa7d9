package rabbitmq_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/configtest"
	"github.com/trolly-logs/trolly/queue/rabbitmq"
)

func TestConfigs(t *testing.T) {
	unkeyed := rabbitmq.DefaultConfig()
	unkeyed.KeyedTopics = []string{}
	tests := []struct {
		file string
		want rabbitmq.Config
	}{
		{"empty.yaml", rabbitmq.DefaultConfig()},
		{"unkeyed.yaml", unkeyed},
		{"good.yaml", rabbitmq.Config{
			URL: "amqps://trolly:secret@rabbit.internal:5671/logs", Prefix: "prod_trolly",
			QueueType: rabbitmq.QueueQuorum, KeyedTopics: []string{"raw", "audit"},
			MaxBytes: 1 << 30, Prefetch: 128, SingleActiveConsumer: true,
			ReconnectMin: 250 * time.Millisecond, ReconnectMax: 30 * time.Second,
			PublishTimeout: 5 * time.Second, RegistryMaxBytes: 16 << 20,
			RegistryRefresh: 30 * time.Minute, ConnectionName: "trolly-gateway",
			CAFile: "/etc/trolly/rabbitmq-ca.pem",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			cfg, err := configtest.Load[rabbitmq.Config](t, filepath.Join("testdata", tc.file))
			require.NoError(t, err)
			require.Equal(t, tc.want, cfg)
		})
	}
	require.Equal(t, rabbitmq.Config{
		URL: "amqp://guest:guest@127.0.0.1:5672/", Prefix: "trolly", QueueType: "classic",
		KeyedTopics: []string{"raw"}, MaxBytes: 256 << 20, Prefetch: 64,
		ReconnectMin: 100 * time.Millisecond, ReconnectMax: 10 * time.Second,
		PublishTimeout: 10 * time.Second, RegistryMaxBytes: 64 << 20, RegistryRefresh: time.Hour,
		ConnectionName: "trolly",
	}, rabbitmq.DefaultConfig())
}

func TestBadConfigs(t *testing.T) {
	configtest.RunBad[rabbitmq.Config](t, "testdata")
}

// TestURLErrorHidesPassword checks that a bad URL is reported without its credentials,
// since configuration errors end up in logs.
func TestURLErrorHidesPassword(t *testing.T) {
	cfg := rabbitmq.DefaultConfig()
	cfg.URL = "amqp://trolly:s3cret@rabbit:port/"
	err := cfg.Validate()
	require.ErrorContains(t, err, "url: not a valid URL")
	require.NotContains(t, err.Error(), "s3cret")
}

// TestNewFailures covers what New refuses before or while dialing; none needs a broker.
func TestNewFailures(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("not a certificate"), 0o600))
	tests := []struct {
		name string
		cfg  rabbitmq.Config
		want string
	}{
		{"invalid", rabbitmq.Config{Prefetch: -1}, "prefetch: must be between 1 and 65535, got -1"},
		{"missing ca_file", rabbitmq.Config{URL: "amqps://127.0.0.1:1/", CAFile: "/nonexistent/ca.pem"}, "read ca_file"},
		{"ca_file without PEM", rabbitmq.Config{URL: "amqps://127.0.0.1:1/", CAFile: notPEM}, "no PEM certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := rabbitmq.New(tc.cfg, rabbitmq.Options{})
			require.ErrorContains(t, err, tc.want)
			require.Nil(t, q)
		})
	}
	q, err := rabbitmq.New(rabbitmq.Config{URL: "amqp://127.0.0.1:1/"}, rabbitmq.Options{})
	require.ErrorIs(t, err, rabbitmq.ErrUnavailable, "no broker listens there")
	require.Nil(t, q)
}
