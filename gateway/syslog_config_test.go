package gateway

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSyslogConfig(t *testing.T) {
	var c Config
	c.ApplyDefaults()
	require.NoError(t, c.Validate())
	require.Empty(t, c.Syslog.UDP+c.Syslog.TCP+c.Syslog.TLS, "off unless asked for")
	require.Equal(t, 64<<10, c.Syslog.MaxMessageBytes)

	c = Config{Syslog: Syslog{TLSCertFile: "c.pem", TLSKeyFile: "k.pem"}}
	c.ApplyDefaults()
	require.NoError(t, c.Validate())
	require.Equal(t, "127.0.0.1:6514", c.Syslog.TLS, "a certificate turns TLS on at its port")

	tests := []struct {
		name string
		s    Syslog
		want []string
	}{
		{"bad address", Syslog{UDP: "5514", TCP: "localhost"}, []string{`syslog.udp: "5514" is not host:port`, `syslog.tcp: "localhost" is not host:port`}},
		{"TLS without certificate", Syslog{TLS: ":6514"}, []string{"syslog.tls: needs tls_cert_file and tls_key_file"}},
		{"certificate without key", Syslog{TLSCertFile: "c.pem"}, []string{"syslog.tls_key_file: is required with tls_cert_file"}},
		{"TLS on the TCP port", Syslog{TCP: ":5514", TLS: ":5514", TLSCertFile: "c", TLSKeyFile: "k"}, []string{"syslog.tls: must differ from syslog.tcp"}},
		{"negative message size", Syslog{MaxMessageBytes: -1}, []string{"syslog.max_message_bytes: must be > 0, got -1"}},
		{"negatives", Syslog{BatchRecords: -1, BatchWait: -time.Second, IdleTimeout: -1, MaxConnections: -2}, []string{
			"syslog.batch_records: must be > 0", "syslog.batch_wait: must be > 0 and at most 1m", "syslog.idle_timeout: must be > 0", "syslog.max_connections: must be > 0",
		}},
		{"connection limits", Syslog{MaxConnections: 10, MaxConnectionsPerAddress: 11, AuthTimeout: 2 * time.Hour}, []string{
			"syslog.max_connections_per_address: must be > 0 and at most max_connections (10), got 11",
			"syslog.auth_timeout: must be > 0 and at most idle_timeout (1h0m0s), got 2h0m0s",
		}},
		{"negative connection limits", Syslog{MaxConnectionsPerAddress: -1, AuthTimeout: -time.Second}, []string{
			"syslog.max_connections_per_address: must be > 0", "syslog.auth_timeout: must be > 0",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Config{Syslog: tt.s}
			c.ApplyDefaults()
			err := c.Validate()
			for _, w := range tt.want {
				require.ErrorContains(t, err, w)
			}
		})
	}
}
