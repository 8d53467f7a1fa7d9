package gateway

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
	"github.com/trolly-logs/trolly/tenant/pki"
	catalogsqlite "github.com/trolly-logs/trolly/tenant/sqlite"
)

// certFixture is a TLS syslog listener over a real catalog (SQLite) and its cache, with
// tenants a and b, their ingest keys "a-in" and "b-in", and Trolly's authority.
type certFixture struct {
	*fixture
	cat   tenant.Catalog
	cache *tenant.Cache
	ca    *pki.CA
	addr  string
	// roots trusts the listener's server certificate.
	roots *x509.CertPool
	// skew moves the gateway's clock ahead of the wall clock.
	skew atomic.Int64
}

func newCertFixture(t *testing.T) *certFixture { return newCertFixtureWith(t, nil) }

// newCertFixtureWith is newCertFixture with its gateway config changed by mutate.
func newCertFixtureWith(t *testing.T, mutate func(*Config)) *certFixture {
	t.Helper()
	ctx := context.Background()
	cat, err := catalogsqlite.Open(ctx, filepath.Join(t.TempDir(), "catalog.db"), tenant.StoreOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { cat.Close() })
	cli := tenant.Actor{Kind: "cli"}
	_, err = cat.CreatePlan(ctx, cli, tenant.Plan{ID: "p", Name: "P"})
	require.NoError(t, err)
	for _, id := range []string{"a", "b"} {
		_, err = cat.CreateTenant(ctx, cli, tenant.Tenant{ID: id, Name: "Tenant " + id, PlanID: "p"})
		require.NoError(t, err)
		for _, st := range []string{"syslog", "web"} {
			_, err = cat.CreateStream(ctx, cli, tenant.Stream{TenantID: id, Name: st, SourceType: "text"})
			require.NoError(t, err)
		}
		_, err = cat.CreateKey(ctx, cli, tenant.APIKey{TenantID: id, Name: "in", Scopes: []tenant.Scope{tenant.ScopeIngest},
			Hash: tenant.HashKey(id + "-in")})
		require.NoError(t, err)
	}
	ca, err := pki.Ensure(ctx, cat, time.Now())
	require.NoError(t, err)
	cache := tenant.NewCache(cat, slog.New(slog.DiscardHandler), nil)
	require.NoError(t, cache.Refresh(ctx))

	var cfg Config
	cfg.Syslog.MaxMessageBytes = 2000
	cfg.ApplyDefaults()
	cfg.MaxBodyBytes, cfg.MaxLineBytes = 100000, 10000
	if mutate != nil {
		mutate(&cfg)
	}
	f := &certFixture{fixture: fixtureOn(t, cache, 0, cfg), cat: cat, cache: cache, ca: ca}
	f.gw.now = func() time.Time { return time.Now().Add(time.Duration(f.skew.Load())) }
	certFile, keyFile, roots := selfSigned(t)
	tlsCfg, err := LoadSyslogTLS(Syslog{TLSCertFile: certFile, TLSKeyFile: keyFile})
	require.NoError(t, err)
	f.roots = roots
	f.addr, _ = f.serveSyslog(t, tlsCfg)
	return f
}

// issue makes a certificate of tenant id with ca and, when record is set, stores it and
// reloads the cache.
func (f *certFixture) issue(t *testing.T, ca *pki.CA, id string, record bool) (tls.Certificate, tenant.ClientCert) {
	t.Helper()
	ctx := context.Background()
	tn, err := f.cat.GetTenant(ctx, id)
	require.NoError(t, err)
	is, err := ca.Issue(tn, "host-of-"+id, time.Now(), time.Time{})
	require.NoError(t, err)
	c := is.Cert
	if record {
		c, err = f.cat.CreateCert(ctx, tenant.Actor{Kind: "cli"}, c)
		require.NoError(t, err)
		require.NoError(t, f.cache.Refresh(ctx))
	}
	pair, err := tls.X509KeyPair(is.CertPEM, is.KeyPEM)
	require.NoError(t, err)
	return pair, c
}

func (f *certFixture) dial(t *testing.T, cert tls.Certificate) *tls.Conn {
	t.Helper()
	c, err := tls.Dial("tcp", f.addr, &tls.Config{RootCAs: f.roots, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// refusedAt reads c until the server ends it; under TLS 1.3 a refused client certificate
// shows at the first read, as the server's alert.
func refusedAt(t *testing.T, c *tls.Conn) error {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err := c.Read(make([]byte, 1))
	require.Error(t, err)
	return err
}

func (f *certFixture) rejected(tenantID, reason string) float64 {
	return testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues(tenantID, protoSyslogTLS, reason))
}

func TestSyslogClientCert(t *testing.T) {
	f := newCertFixture(t)
	cert, _ := f.issue(t, f.ca, "a", true)
	c := f.dial(t, cert)
	// An RFC 3164 sender has no structured data for a token: the certificate is how it
	// authenticates.
	const bsd = "<13>Nov 21 10:00:00 web-01 billing[42]: an RFC 3164 sender"
	_, err := c.Write([]byte(counted(msg("app", "-", "no token needed"), msg("app", `[auth@32473 stream="web"]`, "to web"),
		msg("app", `[auth@32473 token="a-in"]`, "a token of the same tenant"), bsd)))
	require.NoError(t, err)
	got := byStream(f.waitRecords(t, 4))
	require.Equal(t, map[string][]string{
		"a/syslog": {msg("app", "-", "no token needed"), msg("app", "-", "a token of the same tenant"), bsd},
		"a/web":    {msg("app", "-", "to web")},
	}, got)

	// A token of b on a's certificate: refused, the connection closed, nothing reaches b.
	_, err = c.Write([]byte(counted(msg("app", `[auth@32473 token="b-in"]`, "into b?"))))
	require.NoError(t, err)
	require.Error(t, refusedAt(t, c))
	waitUntil(t, "the refusal counted", func() bool { return f.rejected("a", reasonForbidden) == 1 })
	require.Empty(t, f.received(t), "nothing of the refused connection is published")

	// Without a certificate, tokens authenticate as before; without either, nothing goes.
	plain, err := tls.Dial("tcp", f.addr, &tls.Config{RootCAs: f.roots, MinVersion: tls.VersionTLS12})
	require.NoError(t, err)
	defer plain.Close()
	_, err = plain.Write([]byte(counted(msg("app", `[auth@32473 token="b-in"]`, "b by token"), msg("app", "-", "nobody's"))))
	require.NoError(t, err)
	require.Equal(t, map[string][]string{"b/syslog": {msg("app", "-", "b by token")}}, byStream(f.waitRecords(t, 1)))
	require.Error(t, refusedAt(t, plain))
	waitUntil(t, "the anonymous message counted", func() bool { return f.rejected("", reasonUnauthenticated) == 1 })
}

// TestSyslogClientCertAuthenticates: a connection with a client certificate is
// authenticated at the handshake and may stay silent past auth_timeout, while one that
// never starts its handshake is closed at it.
func TestSyslogClientCertAuthenticates(t *testing.T) {
	f := newCertFixtureWith(t, func(c *Config) { c.Syslog.AuthTimeout = time.Second })
	cert, _ := f.issue(t, f.ca, "a", true)
	c := f.dial(t, cert)
	silent, err := net.Dial("tcp", f.addr)
	require.NoError(t, err)
	defer silent.Close()
	requireClosed(t, silent)
	// The close may reach the client before the count is made.
	waitUntil(t, "a handshake that does not end in time counted", func() bool { return f.rejected("", reasonAuthTimeout) == 1 })
	_, err = c.Write([]byte(counted(msg("app", "-", "after the deadline"))))
	require.NoError(t, err)
	require.Equal(t, map[string][]string{"a/syslog": {msg("app", "-", "after the deadline")}}, byStream(f.waitRecords(t, 1)))
}

func TestSyslogClientCertRefused(t *testing.T) {
	f := newCertFixture(t)
	revoked, rec := f.issue(t, f.ca, "a", true)
	require.NoError(t, f.cat.RevokeCert(context.Background(), tenant.Actor{Kind: "cli"}, "a", rec.ID))
	require.NoError(t, f.cache.Refresh(context.Background()))
	unknown, _ := f.issue(t, f.ca, "a", false) // signed by the authority, never recorded
	otherStored, err := pki.New(time.Now())
	require.NoError(t, err)
	other, err := pki.Parse(otherStored)
	require.NoError(t, err)
	foreign, _ := f.issue(t, other, "a", false)

	for _, c := range []struct {
		name, tenantID, reason string
		cert                   tls.Certificate
	}{
		{"revoked", "a", reasonCertRevoked, revoked},
		{"unknown", "", reasonCertUnknown, unknown},
		{"another authority's", "", reasonCertInvalid, foreign},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := tls.Dial("tcp", f.addr, &tls.Config{RootCAs: f.roots, Certificates: []tls.Certificate{c.cert}, MinVersion: tls.VersionTLS12})
			if err == nil {
				defer conn.Close()
				_, _ = conn.Write([]byte(counted(msg("app", "-", "refused"))))
				err = refusedAt(t, conn)
			}
			require.ErrorContains(t, err, "remote error: tls:", "the client hears why at the handshake")
			waitUntil(t, "the refusal counted", func() bool { return f.rejected(c.tenantID, c.reason) == 1 })
		})
	}
	require.Empty(t, f.received(t))
}

// TestSyslogClientCertRevokedWhileOpen revokes the certificate of an open connection: the
// connection ends within authRecheck, at its next message.
func TestSyslogClientCertRevokedWhileOpen(t *testing.T) {
	f := newCertFixture(t)
	cert, rec := f.issue(t, f.ca, "a", true)
	c := f.dial(t, cert)
	_, err := c.Write([]byte(counted(msg("app", "-", "before"))))
	require.NoError(t, err)
	require.Len(t, f.waitRecords(t, 1), 1)

	require.NoError(t, f.cat.RevokeCert(context.Background(), tenant.Actor{Kind: "cli"}, "a", rec.ID))
	require.NoError(t, f.cache.Refresh(context.Background()))
	f.skew.Store(int64(2 * authRecheck))
	_, err = c.Write([]byte(counted(msg("app", "-", "after"))))
	require.NoError(t, err)
	err = refusedAt(t, c)
	require.ErrorIs(t, err, io.EOF, "the listener closed the connection")
	require.Equal(t, 1.0, f.rejected("a", reasonCertRevoked))
	require.Empty(t, f.received(t), "nothing after the revocation is published")
}

// TestDirectoryUnavailable serves before the tenant cache has loaded: HTTP and syslog both
// answer that the directory is unavailable, not that the key is wrong.
func TestDirectoryUnavailable(t *testing.T) {
	cat, err := catalogsqlite.Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"), tenant.StoreOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { cat.Close() })
	var cfg Config
	cfg.ApplyDefaults()
	f := fixtureOn(t, tenant.NewCache(cat, slog.New(slog.DiscardHandler), nil), 0, cfg)
	w := f.post(t, request{stream: "web", key: "some-key", body: []byte("line\n")})
	require.Equal(t, 503, w.Code, w.Body.String())
	require.Contains(t, w.Body.String(), `"unavailable"`)

	addr, _ := f.serveSyslog(t, nil)
	c := send(t, addr, counted(msg("app", `[auth@32473 token="some-key"]`, "hello")))
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err = c.Read(make([]byte, 1))
	require.ErrorIs(t, err, io.EOF)
	waitUntil(t, "the refusal counted", metricAt(f.gw.metrics.rejected.WithLabelValues("", protoSyslogTCP, reasonUnavailable), positive))
}
