package catalogtest

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
	"github.com/trolly-logs/trolly/tenant/pki"
)

func certTests() []test {
	return []test{
		{"CreateGet", testCertCreate},
		{"CreateRefused", testCertCreateRefused},
		{"Revoke", testCertRevoke},
		{"CrossTenant", testCertCrossTenant},
		{"DeleteTenant", func(t *testing.T, f *fixture) {
			f.tenantWithPlan("acme", tenant.Limits{})
			c := f.cert("acme", "host-1")
			require.NoError(t, f.c.DeleteTenant(f.ctx, actor, "acme"))
			_, err := f.c.GetCert(f.ctx, "acme", c.ID)
			require.ErrorIs(t, err, tenant.ErrNotFound)
			snap, err := f.c.Snapshot(f.ctx)
			require.NoError(t, err)
			require.Empty(t, snap.Certs, "a deleted tenant's certificates go with it")
		}},
		{"Authority", testCertAuthority},
		{"AuthorityRace", testCertAuthorityRace},
	}
}

// cert issues a certificate with the catalog's authority and stores its record.
func (f *fixture) cert(tenantID, name string) tenant.ClientCert {
	f.t.Helper()
	ca, err := pki.Ensure(f.ctx, f.c, f.clock.Now())
	require.NoError(f.t, err)
	tn, err := f.c.GetTenant(f.ctx, tenantID)
	require.NoError(f.t, err)
	is, err := ca.Issue(tn, name, f.clock.Now(), time.Time{})
	require.NoError(f.t, err)
	c, err := f.c.CreateCert(f.ctx, actor, is.Cert)
	require.NoError(f.t, err)
	return c
}

func testCertCreate(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	ca, err := pki.Ensure(f.ctx, f.c, f.clock.Now())
	require.NoError(t, err)
	tn, err := f.c.GetTenant(f.ctx, "acme")
	require.NoError(t, err)
	is, err := ca.Issue(tn, "web-01", f.clock.Now(), f.clock.Now().Add(90*24*time.Hour))
	require.NoError(t, err)
	v := f.version()
	c, err := f.c.CreateCert(f.ctx, actor, is.Cert)
	require.NoError(t, err)
	require.Len(t, c.ID, 26, "a ULID")
	want := is.Cert
	want.ID, want.CreatedAt = c.ID, f.now()
	require.Equal(t, want, c)
	requireTime(t, is.Cert.NotAfter, c.NotAfter)
	got, err := f.c.GetCert(f.ctx, "acme", c.ID)
	require.NoError(t, err)
	require.Equal(t, c, got)
	e := f.requireAudited("cert.issue", "acme", c.ID)
	require.Equal(t, "web-01", e.Details["name"])
	require.Equal(t, c.Fingerprint, e.Details["fingerprint"])
	require.Greater(t, f.version(), v)

	second := f.cert("acme", "web-02")
	cs, next, err := f.c.ListCerts(f.ctx, "acme", tenant.Page{})
	require.NoError(t, err)
	require.Empty(t, next)
	require.Equal(t, []string{c.ID, second.ID}, keysOf(cs, func(x tenant.ClientCert) string { return x.ID }))
}

func testCertCreateRefused(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	c := f.cert("acme", "host")
	v, audits := f.version(), len(f.audits("cert."))
	bad := func(change func(*tenant.ClientCert)) tenant.ClientCert {
		in := c
		in.ID = ""
		change(&in)
		return in
	}
	for field, in := range map[string]tenant.ClientCert{
		"name":        bad(func(c *tenant.ClientCert) { c.Name = " " }),
		"tenant_id":   bad(func(c *tenant.ClientCert) { c.TenantID = "Not An Id" }),
		"fingerprint": bad(func(c *tenant.ClientCert) { c.Fingerprint = "abc" }),
		"serial":      bad(func(c *tenant.ClientCert) { c.Serial = "xyz" }),
		"not_after":   bad(func(c *tenant.ClientCert) { c.NotAfter = c.NotBefore }),
	} {
		_, err := f.c.CreateCert(f.ctx, actor, in)
		requireInvalid(t, err, field)
	}
	_, err := f.c.CreateCert(f.ctx, actor, bad(func(c *tenant.ClientCert) {}))
	require.ErrorIs(t, err, tenant.ErrConflict, "a taken fingerprint and serial")
	_, err = f.c.CreateCert(f.ctx, actor, bad(func(c *tenant.ClientCert) { c.TenantID, c.Fingerprint, c.Serial = "nope", c.Fingerprint[1:]+"0", "41" }))
	require.ErrorIs(t, err, tenant.ErrNotFound, "an unknown tenant")
	require.Equal(t, v, f.version())
	require.Len(t, f.audits("cert."), audits)
}

func testCertRevoke(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	c := f.cert("acme", "host")
	f.clock.Advance(time.Minute)
	v := f.version()
	require.NoError(t, f.c.RevokeCert(f.ctx, actor, "acme", c.ID))
	got, err := f.c.GetCert(f.ctx, "acme", c.ID)
	require.NoError(t, err)
	requireTime(t, f.clock.Now(), got.RevokedAt)
	f.requireAudited("cert.revoke", "acme", c.ID)
	require.Greater(t, f.version(), v)

	v = f.version()
	f.clock.Advance(time.Minute)
	require.NoError(t, f.c.RevokeCert(f.ctx, actor, "acme", c.ID), "revoking again")
	again, err := f.c.GetCert(f.ctx, "acme", c.ID)
	require.NoError(t, err)
	require.Equal(t, got, again, "the first revocation stays")
	require.Equal(t, v, f.version())
	require.Len(t, f.audits("cert.revoke"), 1)
	require.ErrorIs(t, f.c.RevokeCert(f.ctx, actor, "acme", newID()), tenant.ErrNotFound)

	snap, err := f.c.Snapshot(f.ctx)
	require.NoError(t, err)
	require.Equal(t, []tenant.ClientCert{got}, snap.Certs, "a revoked certificate stays in the snapshot, marked, until it expires")
}

// testCertCrossTenant reaches for acme's certificate with acme-corp's id: not found, and
// nothing changes.
func testCertCrossTenant(t *testing.T, f *fixture) {
	f.plan("p", tenant.Limits{})
	f.tenant("acme", "p")
	f.tenant("acme-corp", "p")
	c := f.cert("acme", "host")
	v := f.version()
	_, err := f.c.GetCert(f.ctx, "acme-corp", c.ID)
	require.ErrorIs(t, err, tenant.ErrNotFound)
	require.ErrorIs(t, f.c.RevokeCert(f.ctx, actor, "acme-corp", c.ID), tenant.ErrNotFound)
	cs, _, err := f.c.ListCerts(f.ctx, "acme-corp", tenant.Page{})
	require.NoError(t, err)
	require.Empty(t, cs)
	got, err := f.c.GetCert(f.ctx, "acme", c.ID)
	require.NoError(t, err)
	require.Equal(t, c, got, "still unrevoked")
	require.Equal(t, v, f.version())
}

func testCertAuthority(t *testing.T, f *fixture) {
	_, err := f.c.CertAuthority(f.ctx)
	require.ErrorIs(t, err, tenant.ErrNotFound)
	snap, err := f.c.Snapshot(f.ctx)
	require.NoError(t, err)
	require.Nil(t, snap.CACert)

	first, err := pki.New(f.clock.Now())
	require.NoError(t, err)
	v := f.version()
	got, err := f.c.InitCertAuthority(f.ctx, actor, first)
	require.NoError(t, err)
	require.Equal(t, first.Certificate, got.Certificate)
	require.Equal(t, first.PrivateKey, got.PrivateKey)
	requireTime(t, f.clock.Now(), got.CreatedAt)
	f.requireAudited("ca.create", "", "client-ca")
	require.Greater(t, f.version(), v, "gateways learn of the authority through the version")

	second, err := pki.New(f.clock.Now())
	require.NoError(t, err)
	v = f.version()
	again, err := f.c.InitCertAuthority(f.ctx, actor, second)
	require.NoError(t, err)
	require.Equal(t, got, again, "the first authority stays")
	require.Equal(t, v, f.version())
	stored, err := f.c.CertAuthority(f.ctx)
	require.NoError(t, err)
	require.Equal(t, got, stored)
	snap, err = f.c.Snapshot(f.ctx)
	require.NoError(t, err)
	require.Equal(t, got.Certificate, snap.CACert, "the snapshot carries the certificate, never the key")
	_, err = f.c.InitCertAuthority(f.ctx, actor, tenant.CertAuthority{})
	require.ErrorIs(t, err, tenant.ErrInvalid)
}

// testCertAuthorityRace makes the authority from several callers at once, as processes
// starting together would: all end with the same one.
func testCertAuthorityRace(t *testing.T, f *fixture) {
	const n = 6
	pems := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ca, err := pki.Ensure(f.ctx, f.c, f.clock.Now())
			if err == nil {
				pems[i] = ca.PEM()
			}
		}()
	}
	wg.Wait()
	for i := range n {
		require.NotEmpty(t, pems[i], "caller %d failed", i)
		require.Equal(t, pems[0], pems[i], "caller %d has another authority", i)
	}
	require.Len(t, f.audits("ca.create"), 1)
}
