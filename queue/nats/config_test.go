package nats_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/configtest"
	"github.com/trolly-logs/trolly/queue/nats"
)

func TestConfigs(t *testing.T) {
	embedded := nats.Config{Embedded: true, Dir: "/var/lib/trolly/queue", Fsync: nats.FsyncInterval}
	embedded.ApplyDefaults()
	tests := []struct {
		file string
		want nats.Config
	}{
		{"empty.yaml", nats.DefaultConfig()},
		{"embedded.yaml", embedded},
		{"good.yaml", nats.Config{
			URL: "nats://user:secret@nats-1:4222,nats://user:secret@nats-2:4222", Prefix: "prod", Compression: nats.CompressionNone,
			MaxBytes: 1 << 20, MaxMessageBytes: 64 << 10, Replicas: 3, PublishTimeout: 5 * time.Second,
			AckWait: 2 * time.Minute, MaxDeliver: 10, NackDelay: time.Second, MaxAckPending: 500,
			MaxBacklogBytes: 512 << 10, MaxTenantBacklogBytes: 128 << 10, ConnectionName: "gateway-1",
			CAFile: "/etc/trolly/nats-ca.pem", CertFile: "/etc/trolly/nats.pem", KeyFile: "/etc/trolly/nats.key",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			cfg, err := configtest.Load[nats.Config](t, filepath.Join("testdata", tc.file))
			require.NoError(t, err)
			require.Equal(t, tc.want, cfg)
		})
	}
	require.Equal(t, nats.Config{
		URL: "nats://127.0.0.1:4222", Compression: nats.CompressionZstd, Prefix: "TROLLY", MaxBytes: 1 << 30, MaxMessageBytes: 8 << 20,
		Replicas: 1, PublishTimeout: 10 * time.Second, AckWait: 30 * time.Second, NackDelay: 200 * time.Millisecond,
		MaxAckPending: 1000, MaxBacklogBytes: 1 << 30, MaxTenantBacklogBytes: 256 << 20, ConnectionName: "trolly",
	}, nats.DefaultConfig())
	durable := nats.Config{Embedded: true, Dir: "d"}
	durable.ApplyDefaults()
	require.Equal(t, nats.FsyncAlways, durable.Fsync, "embedded is durable by default")
}

func TestBadConfigs(t *testing.T) {
	configtest.RunBad[nats.Config](t, "testdata")
}

func TestNewValidates(t *testing.T) {
	_, err := nats.New(nats.Config{Embedded: true}, nats.Options{})
	require.ErrorContains(t, err, "dir: is required with embedded: true")
}
