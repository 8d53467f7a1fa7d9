package gateway

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

// selfSigned writes a self-signed server certificate for 127.0.0.1 and its key, and
// returns their files and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "trolly test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestSyslogTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	tlsCfg, err := LoadSyslogTLS(Syslog{TLSCertFile: certFile, TLSKeyFile: keyFile})
	require.NoError(t, err)
	f := newSyslogFixture(t, 0, nil)
	addr, _ := f.serveSyslog(t, tlsCfg)

	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	require.NoError(t, err)
	defer c.Close()
	tok := `[auth@32473 token="a-in"]`
	_, err = c.Write([]byte(counted(msg("app", tok, "first"))))
	require.NoError(t, err)
	// The batch goes after batch_wait while the connection stays open: the read that
	// timed out to send it must leave the TLS connection usable.
	require.Equal(t, map[string][]string{"a/syslog": {msg("app", "-", "first")}}, byStream(f.waitRecords(t, 1)))
	_, err = c.Write([]byte(msg("app", tok, "second") + "\n"))
	require.NoError(t, err)
	bs := f.waitRecords(t, 1)
	require.Equal(t, map[string][]string{"a/syslog": {msg("app", "-", "second")}}, byStream(bs))
	require.Equal(t, "syslog-tls", bs[0].GetTransport())
	require.Equal(t, 2.0, testutil.ToFloat64(f.gw.metrics.records.WithLabelValues("a", "syslog-tls")))

	_, err = tls.Dial("tcp", addr, &tls.Config{MinVersion: tls.VersionTLS12})
	require.Error(t, err, "the certificate is not trusted without the pool")
	waitUntil(t, "the failed handshake counted", metricAt(f.gw.metrics.rejected.WithLabelValues("", "syslog-tls", "tls_handshake"), positive))
}

func TestLoadSyslogTLSMissingFiles(t *testing.T) {
	_, err := LoadSyslogTLS(Syslog{TLSCertFile: "testdata/none.pem", TLSKeyFile: "testdata/none.key"})
	require.ErrorContains(t, err, "load syslog TLS certificate")
	require.ErrorIs(t, err, os.ErrNotExist)
}

// TestSyslogLogger sends with util-linux logger, as a Linux host would.
func TestSyslogLogger(t *testing.T) {
	bin, err := exec.LookPath("logger")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("logger (util-linux) is missing; CI must have it")
		}
		t.Skip("logger (util-linux) is not installed; skipping the real-client test")
	}
	f := newSyslogFixture(t, 0, nil)
	addr, _ := f.serveSyslog(t, nil)
	host, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	out, err := exec.Command(bin, "--tcp", "--octet-count", "--rfc5424", "-n", host, "-P", port, "-t", "myapp",
		"--sd-id", "auth@32473", "--sd-param", `token="a-in"`, "--sd-param", `stream="web"`, "hello from logger").CombinedOutput()
	require.NoError(t, err, "%s", out)
	got := byStream(f.waitRecords(t, 1))["a/web"]
	require.Len(t, got, 1)
	require.Contains(t, got[0], " myapp ")
	require.True(t, strings.HasSuffix(got[0], " hello from logger"), got[0])
	require.NotContains(t, got[0], "a-in", "the token is stripped")
	require.NotContains(t, got[0], "auth@32473")
}
