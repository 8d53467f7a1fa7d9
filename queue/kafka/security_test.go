package kafka

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/trolly-logs/trolly/queue"
)

// roundTrip declares a topic, publishes one message and receives it, which exercises the
// producer, the admin calls and a group consumer over the connection settings of q.
func roundTrip(t *testing.T, q *Queue) {
	t.Helper()
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, "raw", "processor"))
	require.NoError(t, q.Publish(ctx, "raw", queue.Message{Key: "acme/web", Body: []byte("hello")}))
	c := subscribe(t, q, "raw", "processor")
	got := receive(t, c, 1)
	require.Equal(t, "hello", string(got[0].Body))
	ackAll(t, got...)
}

func TestSASL(t *testing.T) {
	tests := []struct {
		mechanism, kfakeName string
	}{
		{SASLPlain, "PLAIN"},
		{SASLScramSHA256, "SCRAM-SHA-256"},
		{SASLScramSHA512, "SCRAM-SHA-512"},
	}
	for _, tc := range tests {
		t.Run(tc.mechanism, func(t *testing.T) {
			cluster := newCluster(t, kfake.EnableSASL(), kfake.Superuser(tc.kfakeName, "trolly", "s3cret"))
			cfg := testConfig(cluster)
			cfg.SASL = SASLConfig{Mechanism: tc.mechanism, Username: "trolly", Password: "s3cret"}
			roundTrip(t, newQueue(t, cfg))

			cfg.SASL.Password = "wrong"
			bad := newQueue(t, cfg)
			// kfake drops the connection of a failed login, which the client retries as a
			// network error; a short deadline keeps the refusal quick.
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			require.Error(t, bad.Declare(ctx, "raw", "processor"), "a wrong password is refused")
		})
	}
}

func TestMutualTLS(t *testing.T) {
	pki := newTestPKI(t)
	cluster := newCluster(t, kfake.TLS(&tls.Config{
		Certificates: []tls.Certificate{pki.server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pki.pool,
		MinVersion:   tls.VersionTLS12,
	}))
	cfg := testConfig(cluster)
	cfg.TLS = TLSConfig{Enabled: true, CAFile: pki.caFile, CertFile: pki.clientCert, KeyFile: pki.clientKey}
	roundTrip(t, newQueue(t, cfg))

	cfg.TLS.CertFile, cfg.TLS.KeyFile = "", ""
	bad := newQueue(t, cfg)
	require.Error(t, bad.Declare(timeout(t), "raw", "processor"), "a client without certificate is refused")
}
