package kafka

import (
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
)

// optClient builds a client from opts without connecting, to read its options back.
func optClient(t *testing.T, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(opts...)
	require.NoError(t, err)
	t.Cleanup(cl.Close)
	return cl
}

func TestClientOptionsSecurity(t *testing.T) {
	pki := newTestPKI(t)
	tests := []struct {
		name      string
		tls       TLSConfig
		sasl      SASLConfig
		wantTLS   bool
		wantRoots bool
		wantCerts int
		wantSASL  string
	}{
		{name: "plaintext"},
		{name: "tls with system roots", tls: TLSConfig{Enabled: true}, wantTLS: true},
		{name: "tls with a private CA", tls: TLSConfig{Enabled: true, CAFile: pki.caFile},
			wantTLS: true, wantRoots: true},
		{name: "mutual tls", tls: TLSConfig{Enabled: true, CAFile: pki.caFile, CertFile: pki.clientCert, KeyFile: pki.clientKey},
			wantTLS: true, wantRoots: true, wantCerts: 1},
		{name: "sasl plain", sasl: SASLConfig{Mechanism: SASLPlain, Username: "u", Password: "p"}, wantSASL: "PLAIN"},
		{name: "sasl scram-sha-256", sasl: SASLConfig{Mechanism: SASLScramSHA256, Username: "u", Password: "p"},
			wantSASL: "SCRAM-SHA-256"},
		{name: "sasl_ssl scram-sha-512", tls: TLSConfig{Enabled: true, CAFile: pki.caFile},
			sasl:    SASLConfig{Mechanism: SASLScramSHA512, Username: "u", Password: "p"},
			wantTLS: true, wantRoots: true, wantSASL: "SCRAM-SHA-512"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.TLS, cfg.SASL = tc.tls, tc.sasl
			require.NoError(t, cfg.Validate())
			opts, err := cfg.clientOptions(testLogger())
			require.NoError(t, err)
			cl := optClient(t, opts...)

			tc2, _ := cl.OptValue(kgo.DialTLSConfig).(*tls.Config)
			require.Equal(t, tc.wantTLS, tc2 != nil, "TLS dialing")
			if tc2 != nil {
				require.Equal(t, tc.wantRoots, tc2.RootCAs != nil, "private roots")
				require.Len(t, tc2.Certificates, tc.wantCerts)
				require.False(t, tc2.InsecureSkipVerify)
			}
			mechs, _ := cl.OptValue(kgo.SASL).([]sasl.Mechanism)
			if tc.wantSASL == "" {
				require.Empty(t, mechs)
				return
			}
			require.Len(t, mechs, 1)
			require.Equal(t, tc.wantSASL, mechs[0].Name())
		})
	}
}

func TestTLSConfigFileErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	require.NoError(t, os.WriteFile(notPEM, []byte("not a certificate"), 0o600))
	tests := []struct {
		name string
		tls  TLSConfig
		want string
	}{
		{"missing CA", TLSConfig{Enabled: true, CAFile: filepath.Join(dir, "none.pem")}, "tls.ca_file: open"},
		{"CA without PEM", TLSConfig{Enabled: true, CAFile: notPEM}, "tls.ca_file: no PEM certificate"},
		{"missing key pair", TLSConfig{Enabled: true, CertFile: notPEM, KeyFile: notPEM}, "tls.cert_file, tls.key_file:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.TLS = tc.tls
			_, err := New(cfg, nil, nil)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestProducerAndGroupOptions(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxMessageBytes = 2 << 20
	prod := optClient(t, cfg.producerOptions()...)
	require.Equal(t, kgo.AllISRAcks(), prod.OptValue(kgo.RequiredAcks), "acks=all")
	require.Equal(t, false, prod.OptValue(kgo.DisableIdempotentWrite), "idempotent producer")
	require.Equal(t, int32(2<<20+batchHeadroom), prod.OptValue(kgo.ProducerBatchMaxBytes))

	noop := func(context.Context, *kgo.Client, map[string][]int32) {}
	cons := optClient(t, cfg.groupOptions("trolly.events", "trolly.events.indexer", noop, noop)...)
	require.Equal(t, "trolly.events.indexer", cons.OptValue(kgo.ConsumerGroup))
	require.Contains(t, cons.OptValue(kgo.ConsumeTopics), "trolly.events")
	require.Equal(t, true, cons.OptValue(kgo.DisableAutoCommit), "commits follow acks only")
	require.Equal(t, true, cons.OptValue(kgo.BlockRebalanceOnPoll))
	require.Equal(t, cfg.SessionTimeout, cons.OptValue(kgo.SessionTimeout))
}
