package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// shipTarget is where the shippers send: one trolly with its syslog TCP and TLS listeners.
type shipTarget struct {
	srv          server
	tcp, tls     int
	http         string // the ingest listener's port
	caFile       string
	cert         issuedCert // a client certificate of demo
	from, to     string
	shippedLines int // lines per case
}

// A shipped line carries what the feeding logger gives it: an app name, a pid, a facility
// and a severity.
const (
	shipApp      = "billing"
	shipPID      = 4242
	shipPriority = "local3.warning"
)

// TestShippers drives real rsyslog, syslog-ng and logger against one trolly, with the
// configurations of the README's "Ship your logs" section, and finds every line they sent
// under the key's tenant and the chosen stream, with its ECS fields, and none under another
// tenant.
func TestShippers(t *testing.T) {
	dir := t.TempDir()
	srv, cfg := writeConfig(t, dir)
	certFile, keyFile, caFile := serverCertificate(t, dir)
	target := shipTarget{srv: srv, tcp: freePort(t), tls: freePort(t), caFile: caFile, shippedLines: 5}
	_, target.http, _ = strings.Cut(strings.TrimPrefix(srv.ingestURL, "http://"), ":")
	in := startEnv(t, []string{
		fmt.Sprintf("TROLLY_GATEWAY_SYSLOG_TCP=127.0.0.1:%d", target.tcp),
		fmt.Sprintf("TROLLY_GATEWAY_SYSLOG_TLS=127.0.0.1:%d", target.tls),
		"TROLLY_GATEWAY_SYSLOG_TLS_CERT_FILE=" + certFile,
		"TROLLY_GATEWAY_SYSLOG_TLS_KEY_FILE=" + keyFile,
		"TROLLY_GATEWAY_SYSLOG_BATCH_WAIT=50ms",
	}, "all", "--config", cfg)
	in.waitReady(t, srv.readyURLs()...)
	target.cert = issueCert(t, cfg, filepath.Join(dir, "rsyslog-client"))
	target.waitTrusted(t)
	now := time.Now().UTC()
	target.from, target.to = now.Add(-time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339)

	rsyslog, syslogNG := syslogFields("rsyslog-host"), syslogFields("syslog-ng-host")
	tests := []struct {
		name     string
		run      func(*testing.T, shipCase, ...string)
		want     shipCase
		snippets []string
	}{
		{"rsyslog omfwd tcp", target.rsyslog, shipCase{"syslog", "syslog-tcp", rsyslog}, []string{"rsyslog-template", "rsyslog-tcp"}},
		{"rsyslog omfwd tls token", target.rsyslog, shipCase{"syslog", "syslog-tls", rsyslog}, []string{"rsyslog-template", "rsyslog-tls"}},
		{"rsyslog omfwd tls certificate", target.rsyslog, shipCase{"syslog", "syslog-tls", rsyslog}, []string{"rsyslog-tls-cert"}},
		{"rsyslog omelasticsearch", target.rsyslog, shipCase{"app", "esbulk", ecsFields("rsyslog-host")}, []string{"rsyslog-elasticsearch"}},
		{"syslog-ng syslog tcp", target.syslogNG, shipCase{"syslog", "syslog-tcp", syslogNG}, []string{"syslog-ng-auth", "syslog-ng-tcp"}},
		{"syslog-ng syslog tls token", target.syslogNG, shipCase{"syslog", "syslog-tls", syslogNG}, []string{"syslog-ng-auth", "syslog-ng-tls"}},
		{"syslog-ng http", target.syslogNG, shipCase{"syslog", "native", syslogNG}, []string{"syslog-ng-http"}},
		{"syslog-ng elasticsearch-http", target.syslogNG, shipCase{"app", "esbulk", ecsFields("syslog-ng-host")}, []string{"syslog-ng-elasticsearch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, tt.want, tt.snippets...) })
	}
	t.Run("logger rfc5424 octet-counted", func(t *testing.T) { target.logger(t) })
	// Last: it revokes the certificate the case above used.
	t.Run("rsyslog revoked certificate", func(t *testing.T) { target.rsyslogRevoked(t, cfg) })
}

// shipCase is what a case expects: the stream its lines go to, the protocol Trolly counts
// them under, and the fields of each.
type shipCase struct {
	stream, protocol string
	fields           map[string]any
}

// syslogFields are the fields a stream of source type syslog makes of a shipped line's
// header.
func syslogFields(host string) map[string]any {
	return map[string]any{
		"host.hostname":            host,
		"process.name":             shipApp,
		"process.pid":              float64(shipPID),
		"log.level":                "warning",
		"log.syslog.hostname":      host,
		"log.syslog.appname":       shipApp,
		"log.syslog.procid":        fmt.Sprint(shipPID),
		"log.syslog.priority":      float64(19*8 + 4),
		"log.syslog.facility.name": "local3",
		"log.syslog.severity.name": "Warning",
		"data_stream.dataset":      "syslog",
	}
}

// ecsFields are the fields the README's Elasticsearch templates write for a json stream.
func ecsFields(host string) map[string]any {
	return map[string]any{
		"host.hostname":            host,
		"process.name":             shipApp,
		"process.pid":              float64(shipPID),
		"log.level":                "warning",
		"log.syslog.facility.name": "local3",
		"data_stream.dataset":      "json",
	}
}

// lines makes the case's lines: each holds the case's marker word, which no other case
// sends, so that a search for it finds this case's lines only.
func (s shipTarget) lines(marker string) []string {
	out := make([]string, s.shippedLines)
	for i := range out {
		out[i] = fmt.Sprintf("%s line %d: invoice %d paid", marker, i, 1000+i)
	}
	return out
}

// marker is a word made of the test's name.
func marker(t *testing.T) string {
	return "case" + regexp.MustCompile(`[^a-z0-9]`).ReplaceAllString(strings.ToLower(filepath.Base(t.Name())), "")
}

// feed writes lines to a shipper's unix socket with logger, as a local program logs.
func feed(t *testing.T, socket string, lines []string) {
	t.Helper()
	waitFile(t, socket)
	cmd := exec.Command(requireProgram(t, "logger", "logger"), "-u", socket, "-t", shipApp,
		fmt.Sprintf("--id=%d", shipPID), "-p", shipPriority)
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "logger: %s", out)
}

// requireShipped waits until the lines are searchable under demo's stream, stops the
// shipper (which flushes what it holds) and requires each line exactly once, with the
// fields, without the key, and invisible to acme; and that they came by the case's protocol
// (records counted before the lines were fed).
func (s shipTarget) requireShipped(t *testing.T, c shipCase, shipper *instance, lines []string, before float64) {
	t.Helper()
	q := strings.Fields(lines[0])[0]
	waitTotal(t, s.srv, demoRead, q, s.from, s.to, len(lines))
	require.GreaterOrEqual(t, s.records(t, c.protocol)-before, float64(len(lines)), "records counted as %s", c.protocol)
	if shipper != nil {
		require.Equal(t, 0, shipper.stop(t), "the shipper stops cleanly on SIGTERM")
	}
	r := s.srv.search(t, demoRead, q, s.from, s.to, 2*len(lines))
	require.Equal(t, len(lines), r.total(t), "each line once")
	var got []string
	for _, h := range r.Hits {
		doc := h.Source
		got = append(got, fmt.Sprint(field(doc, "message")))
		require.Equal(t, "demo", field(doc, "organization.id"))
		require.Equal(t, c.stream, field(doc, "data_stream.namespace"))
		for path, want := range c.fields {
			require.Equal(t, want, field(doc, path), path)
		}
		require.Nil(t, field(doc, "tags"), "no parse failure: %v", doc)
		js, err := json.Marshal(doc)
		require.NoError(t, err)
		require.NotContains(t, string(js), demoIngest, "the key is not stored")
	}
	sort.Strings(got)
	want := append([]string(nil), lines...)
	sort.Strings(want)
	require.Equal(t, want, got)
	require.Zero(t, s.srv.search(t, acmeRead, q, s.from, s.to, 1).total(t), "another tenant sees none")
}

// records reads demo's records accepted over protocol from the metrics.
func (s shipTarget) records(t *testing.T, protocol string) float64 {
	t.Helper()
	a := do(t, http.MethodGet, s.srv.adminURL+"/metrics", "", nil, nil)
	require.Equal(t, http.StatusOK, a.status)
	m := regexp.MustCompile(`(?m)^trolly_ingest_records_total\{protocol="` + regexp.QuoteMeta(protocol) + `",tenant="demo"\} (\S+)$`).FindSubmatch(a.body)
	if m == nil {
		return 0
	}
	n, err := strconv.ParseFloat(string(m[1]), 64)
	require.NoError(t, err)
	return n
}

// rejected reads the refusals over protocol for reason, of any tenant, from the metrics.
func (s shipTarget) rejected(t *testing.T, protocol, reason string) float64 {
	t.Helper()
	a := do(t, http.MethodGet, s.srv.adminURL+"/metrics", "", nil, nil)
	require.Equal(t, http.StatusOK, a.status)
	re := regexp.MustCompile(`(?m)^trolly_ingest_rejected_requests_total\{protocol="` + regexp.QuoteMeta(protocol) +
		`",reason="` + regexp.QuoteMeta(reason) + `",tenant="[^"]*"\} (\S+)$`)
	var n float64
	for _, m := range re.FindAllSubmatch(a.body, -1) {
		v, err := strconv.ParseFloat(string(m[1]), 64)
		require.NoError(t, err)
		n += v
	}
	return n
}

// readmeSnippet returns the README's block marked `<!-- shipper-test: name -->`, its
// placeholders and customary ports replaced; a placeholder left over fails the test.
func readmeSnippet(t *testing.T, name string, replace ...string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	mark := "<!-- shipper-test: " + name + " -->\n```"
	_, rest, ok := strings.Cut(string(b), mark)
	require.True(t, ok, "README.md has no block marked %q", mark)
	_, rest, _ = strings.Cut(rest, "\n")
	block, _, ok := strings.Cut(rest, "```")
	require.True(t, ok, "README.md: the block %q is not closed", name)
	block = strings.NewReplacer(replace...).Replace(block)
	left := regexp.MustCompile(`<[a-z][a-z-]*>`).FindString(block)
	require.Empty(t, left, "README.md block %q: placeholder %s not replaced", name, left)
	return block
}

// replacements are the README placeholders and ports for this trolly and stream.
func (s shipTarget) replacements(stream string) []string {
	return []string{
		"<host>", "127.0.0.1", "<key>", demoIngest, "<stream>", stream, "<ca-file>", s.caFile,
		"<cert-file>", s.cert.CertificateFile, "<key-file>", s.cert.PrivateKeyFile,
		"5514", fmt.Sprint(s.tcp), "6514", fmt.Sprint(s.tls), "8088", s.http,
	}
}

// requireProgram finds a shipper's program, or skips (fails with CI=true) saying how to
// get it.
func requireProgram(t *testing.T, path, what string) string {
	t.Helper()
	found, err := exec.LookPath(path)
	if err == nil {
		return found
	}
	msg := fmt.Sprintf("%s is not installed (%v): run scripts/clients (make clients) as root on Debian", what, err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// waitFile waits for a shipper to create a file, its input socket say.
func waitFile(t *testing.T, path string) {
	t.Helper()
	for range 200 {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not appear within 10s", path)
}

// serverCertificate writes a CA and a server certificate it signed for 127.0.0.1 (also as
// a DNS name, which rsyslog's x509/name check compares with the target) and localhost.
func serverCertificate(t *testing.T, dir string) (certFile, keyFile, caFile string) {
	t.Helper()
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		return k
	}
	writePEM := func(name, typ string, der []byte) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
		return path
	}
	caKey, key := newKey(), newKey()
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "shippers test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err = x509.ParseCertificate(caDER)
	require.NoError(t, err)
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"127.0.0.1", "localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return writePEM("server.pem", "CERTIFICATE", der), writePEM("server.key", "PRIVATE KEY", keyDER),
		writePEM("ca.pem", "CERTIFICATE", caDER)
}
