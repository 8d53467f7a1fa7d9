package gateway

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// Syslog configures the syslog listeners. Each is off while its address is empty: they
// bind fixed ports, which every process of a deployment (and every test run) would fight
// over, so they are opened on request; the development config opens them on 127.0.0.1.
type Syslog struct {
	// UDP and TCP are the plain listeners' addresses, customarily on port 5514.
	UDP string `yaml:"udp"`
	TCP string `yaml:"tcp"`
	// TLS is the TLS listener's address; it defaults to 127.0.0.1:6514 once a server
	// certificate and key are given.
	TLS         string `yaml:"tls"`
	TLSCertFile string `yaml:"tls_cert_file"`
	TLSKeyFile  string `yaml:"tls_key_file"`
	// MaxMessageBytes bounds one message: a longer one is cut to it and tagged
	// _truncated, and the rest of its frame is discarded. The gateway's max_line_bytes
	// and the tenant's, when smaller, cut it alike.
	MaxMessageBytes int `yaml:"max_message_bytes"`
	// BatchRecords and BatchWait bound a batch of one tenant's stream: it is published
	// when it holds this many records (or max_body_bytes) or its first record has waited
	// this long.
	BatchRecords int           `yaml:"batch_records"`
	BatchWait    time.Duration `yaml:"batch_wait"`
	// IdleTimeout closes a TCP or TLS connection that sent nothing for this long.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// MaxConnections bounds the open connections of each of the TCP and TLS listeners.
	MaxConnections int `yaml:"max_connections"`
	// MaxConnectionsPerAddress bounds the open connections of one client address to each
	// of the TCP and TLS listeners, so that one host cannot take every slot.
	MaxConnectionsPerAddress int `yaml:"max_connections_per_address"`
	// AuthTimeout closes a TCP or TLS connection that has not authenticated this long
	// after it was accepted: by a message with a valid token, or by a client certificate
	// at the TLS handshake, which must end within it too. Silent connections thus hold a
	// slot for seconds, not for idle_timeout.
	AuthTimeout time.Duration `yaml:"auth_timeout"`
}

// ApplyDefaults fills in unset fields.
func (c *Syslog) ApplyDefaults() {
	if c.TLS == "" && c.TLSCertFile != "" && c.TLSKeyFile != "" {
		c.TLS = "127.0.0.1:6514"
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = 64 << 10
	}
	if c.BatchRecords == 0 {
		c.BatchRecords = 500
	}
	if c.BatchWait == 0 {
		c.BatchWait = 100 * time.Millisecond
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = time.Hour
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = 1024
	}
	if c.MaxConnectionsPerAddress == 0 {
		c.MaxConnectionsPerAddress = min(64, max(c.MaxConnections, 1))
	}
	if c.AuthTimeout == 0 {
		c.AuthTimeout = min(10*time.Second, max(c.IdleTimeout, time.Nanosecond))
	}
}

// validate reports bad values by key.
func (c Syslog) validate() error {
	var errs []error
	for key, addr := range map[string]string{"udp": c.UDP, "tcp": c.TCP, "tls": c.TLS} {
		if _, _, err := net.SplitHostPort(addr); addr != "" && err != nil {
			errs = append(errs, fmt.Errorf("syslog.%s: %q is not host:port", key, addr))
		}
	}
	switch {
	case c.TLSCertFile != "" && c.TLSKeyFile == "":
		errs = append(errs, errors.New("syslog.tls_key_file: is required with tls_cert_file"))
	case c.TLSCertFile == "" && c.TLSKeyFile != "":
		errs = append(errs, errors.New("syslog.tls_cert_file: is required with tls_key_file"))
	case c.TLS != "" && c.TLSCertFile == "":
		errs = append(errs, errors.New("syslog.tls: needs tls_cert_file and tls_key_file (the server certificate)"))
	}
	if c.TLS != "" && c.TLS == c.TCP {
		errs = append(errs, fmt.Errorf("syslog.tls: must differ from syslog.tcp, both are %q", c.TLS))
	}
	if c.MaxMessageBytes <= 0 {
		errs = append(errs, fmt.Errorf("syslog.max_message_bytes: must be > 0, got %d", c.MaxMessageBytes))
	}
	if c.BatchRecords <= 0 {
		errs = append(errs, fmt.Errorf("syslog.batch_records: must be > 0, got %d", c.BatchRecords))
	}
	if c.BatchWait <= 0 || c.BatchWait > time.Minute {
		errs = append(errs, fmt.Errorf("syslog.batch_wait: must be > 0 and at most 1m, got %s", c.BatchWait))
	}
	if c.IdleTimeout <= 0 {
		errs = append(errs, fmt.Errorf("syslog.idle_timeout: must be > 0, got %s", c.IdleTimeout))
	}
	if c.MaxConnections <= 0 {
		errs = append(errs, fmt.Errorf("syslog.max_connections: must be > 0, got %d", c.MaxConnections))
	}
	if c.MaxConnectionsPerAddress <= 0 || c.MaxConnectionsPerAddress > max(c.MaxConnections, 1) {
		errs = append(errs, fmt.Errorf("syslog.max_connections_per_address: must be > 0 and at most max_connections (%d), got %d",
			c.MaxConnections, c.MaxConnectionsPerAddress))
	}
	if c.AuthTimeout <= 0 || c.AuthTimeout > c.IdleTimeout {
		errs = append(errs, fmt.Errorf("syslog.auth_timeout: must be > 0 and at most idle_timeout (%s), got %s", c.IdleTimeout, c.AuthTimeout))
	}
	return errors.Join(errs...)
}
