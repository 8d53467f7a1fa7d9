package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// rsyslog runs rsyslogd for the test on the README's snippets, in a work directory of its
// own and without the system socket, feeds it the case's lines through a unix socket of its
// own and requires them in search.
func (s shipTarget) rsyslog(t *testing.T, c shipCase, snippets ...string) {
	bin := requireProgram(t, "rsyslogd", "rsyslog")
	dir := t.TempDir()
	socket := filepath.Join(dir, "in.sock")
	conf := fmt.Sprintf(`global(workDirectory=%q localHostname="rsyslog-host")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket=%q)
`, dir, socket)
	for _, name := range snippets {
		conf += readmeSnippet(t, name, s.replacements(c.stream)...)
	}
	path := filepath.Join(dir, "rsyslog.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o600))
	rs := startProgram(t, bin, nil, "-n", "-f", path, "-i", filepath.Join(dir, "rsyslogd.pid"))
	lines, before := s.lines(marker(t)), s.records(t, c.protocol)
	feed(t, socket, lines)
	s.requireShipped(t, c, rs, lines, before)
}

// logger sends with util-linux logger over TCP, octet-counted RFC 5424 with the token, as
// the README's Endpoints section shows by hand.
func (s shipTarget) logger(t *testing.T) {
	bin := requireProgram(t, "logger", "logger (util-linux)")
	host, err := os.Hostname()
	require.NoError(t, err)
	c := shipCase{"syslog", "syslog-tcp", syslogFields(host)}
	lines, before := s.lines(marker(t)), s.records(t, c.protocol)
	cmd := exec.Command(bin, "--tcp", "--octet-count", "--rfc5424", "-n", "127.0.0.1", "-P", fmt.Sprint(s.tcp),
		"-t", shipApp, fmt.Sprintf("--id=%d", shipPID), "-p", shipPriority,
		"--sd-id", "auth@32473", "--sd-param", `token="`+demoIngest+`"`, "--sd-param", `stream="syslog"`)
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "logger: %s", out)
	s.requireShipped(t, c, nil, lines, before)
}

// issuedCert is what `trolly admin certs issue --out` prints.
type issuedCert struct {
	ID              string `json:"id"`
	CertificateFile string `json:"certificate_file"`
	PrivateKeyFile  string `json:"private_key_file"`
}

// issueCert issues a client certificate of demo with the CLI, as an operator on the server
// does, into files named by prefix.
func issueCert(t *testing.T, cfg, prefix string) issuedCert {
	t.Helper()
	out, err := exec.Command(binary, "admin", "certs", "issue", "--config", cfg, "--tenant", "demo",
		"--name", "rsyslog-e2e", "--out", prefix).Output()
	require.NoError(t, err, "trolly admin certs issue: %s", out)
	var c issuedCert
	require.NoError(t, json.Unmarshal(out, &c), "%s", out)
	require.NotEmpty(t, c.ID)
	return c
}

// waitTrusted waits until the TLS listener accepts the issued certificate: the gateway
// learns a new authority at its next catalog refresh, and rsyslog drops what it cannot send
// at the first try.
func (s shipTarget) waitTrusted(t *testing.T) {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(s.cert.CertificateFile, s.cert.PrivateKeyFile)
	require.NoError(t, err)
	ca, err := os.ReadFile(s.caFile)
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(ca))
	cfg := &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	var last error
	for range 100 {
		c, err := tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.tls), cfg)
		if err == nil {
			// Under TLS 1.3 a refused client certificate shows at the first read, as the
			// server's alert; a listener that took it waits for a message instead.
			require.NoError(t, c.SetReadDeadline(time.Now().Add(300*time.Millisecond)))
			_, err = c.Read(make([]byte, 1))
			c.Close()
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return
			}
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the TLS listener still refuses the issued certificate after 10s: %v", last)
}

// rsyslogRevoked revokes the certificate and runs the README's certificate snippet again:
// the handshake is refused and counted, and the lines rsyslog holds reach no tenant.
func (s shipTarget) rsyslogRevoked(t *testing.T, cfg string) {
	bin := requireProgram(t, "rsyslogd", "rsyslog")
	out, err := exec.Command(binary, "admin", "certs", "revoke", "--config", cfg, "--tenant", "demo",
		"--id", s.cert.ID).CombinedOutput()
	require.NoError(t, err, "trolly admin certs revoke: %s", out)
	revoked := func() float64 { return s.rejected(t, "syslog-tls", "certificate_revoked") }
	before := revoked()
	// The revocation reaches the gateway within the metadata refresh interval (1s).
	time.Sleep(2 * time.Second)
	dir := t.TempDir()
	socket := filepath.Join(dir, "in.sock")
	conf := fmt.Sprintf(`global(workDirectory=%q localHostname="rsyslog-host")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket=%q)
`, dir, socket) + readmeSnippet(t, "rsyslog-tls-cert", s.replacements("syslog")...)
	path := filepath.Join(dir, "rsyslog.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o600))
	rs := startProgram(t, bin, nil, "-n", "-f", path, "-i", filepath.Join(dir, "rsyslogd.pid"))
	lines := s.lines(marker(t))
	feed(t, socket, lines)
	for i := 0; revoked() <= before; i++ {
		require.Less(t, i, 200, "no handshake refused as certificate_revoked within 20s")
		time.Sleep(100 * time.Millisecond)
	}
	rs.stop(t)
	q := strings.Fields(lines[0])[0]
	require.Zero(t, s.srv.search(t, demoRead, q, s.from, s.to, 1).total(t), "nothing sent with a revoked certificate is stored")
}
