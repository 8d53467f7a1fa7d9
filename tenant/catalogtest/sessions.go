package catalogtest

import (
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

func sessionTests() []test {
	return []test{
		{"CreateByHash", testSessionCreate},
		{"Rotate", testSessionRotate},
		{"RevokeFamily", func(t *testing.T, f *fixture) {
			u := f.sessionUser()
			fam, other := newID(), newID()
			a, b, c := f.session(u.ID, fam), f.session(u.ID, fam), f.session(u.ID, other)
			f.clock.Advance(time.Minute)
			require.NoError(t, f.c.RevokeSessions(f.ctx, fam))
			f.requireRevoked(a, b)
			f.requireLive(c)
			require.NoError(t, f.c.RevokeSessions(f.ctx, newID()), "an unknown family")
		}},
		{"RevokeUser", func(t *testing.T, f *fixture) {
			u, v := f.sessionUser(), f.user("acme", "bob@example.com", tenant.RoleMember)
			a, b, c := f.session(u.ID, newID()), f.session(u.ID, newID()), f.session(v.ID, newID())
			f.clock.Advance(time.Minute)
			require.NoError(t, f.c.RevokeUserSessions(f.ctx, u.ID))
			f.requireRevoked(a, b)
			f.requireLive(c)
		}},
	}
}

func signingKeyTests() []test {
	return []test{
		{"ByExpiry", testSigningKeys},
		{"Refused", func(t *testing.T, f *fixture) {
			k := f.signingKey(time.Hour)
			err := f.c.AddSigningKey(f.ctx, tenant.SigningKey{PrivateKey: k.PrivateKey, CreatedAt: k.CreatedAt,
				RetiresAt: k.RetiresAt, ExpiresAt: k.ExpiresAt})
			require.ErrorIs(t, err, tenant.ErrInvalid, "no id")
			require.ErrorIs(t, f.c.AddSigningKey(f.ctx, k), tenant.ErrConflict, "a taken id")
			ks, err := f.c.SigningKeys(f.ctx, f.clock.Now())
			require.NoError(t, err)
			require.Len(t, ks, 1)
		}},
	}
}

// sessionUser makes a tenant and a user for sessions.
func (f *fixture) sessionUser() tenant.User {
	f.t.Helper()
	f.tenantWithPlan("acme", tenant.Limits{})
	return f.user("acme", "ann@example.com", tenant.RoleAdmin)
}

// requireSession compares sessions as stored.
func requireSession(t *testing.T, want, got tenant.Session) {
	t.Helper()
	want.ExpiresAt, want.RevokedAt, want.CreatedAt = stored(want.ExpiresAt), stored(want.RevokedAt), stored(want.CreatedAt)
	require.Equal(t, want, got)
}

// requireRevoked checks that the sessions were revoked at the clock's time.
func (f *fixture) requireRevoked(ss ...tenant.Session) {
	f.t.Helper()
	for _, s := range ss {
		got, err := f.c.SessionByHash(f.ctx, s.Hash)
		require.NoError(f.t, err)
		requireTime(f.t, f.clock.Now(), got.RevokedAt, "session %s", s.ID)
	}
}

func (f *fixture) requireLive(ss ...tenant.Session) {
	f.t.Helper()
	for _, s := range ss {
		got, err := f.c.SessionByHash(f.ctx, s.Hash)
		require.NoError(f.t, err)
		require.True(f.t, got.RevokedAt.IsZero(), "session %s is revoked", s.ID)
	}
}

func testSessionCreate(t *testing.T, f *fixture) {
	u := f.sessionUser()
	v, audits := f.version(), len(f.audits(""))
	s := f.session(u.ID, newID())
	got, err := f.c.SessionByHash(f.ctx, s.Hash)
	require.NoError(t, err)
	requireSession(t, s, got)
	_, err = f.c.SessionByHash(f.ctx, tenant.HashToken("unknown"))
	require.ErrorIs(t, err, tenant.ErrNotFound)
	_, hash := tenant.NewToken()
	err = f.c.CreateSession(f.ctx, tenant.Session{UserID: u.ID, Family: newID(), Hash: hash, ExpiresAt: f.clock.Now().Add(time.Hour)})
	require.ErrorIs(t, err, tenant.ErrInvalid, "no id")
	_, err = f.c.SessionByHash(f.ctx, hash)
	require.ErrorIs(t, err, tenant.ErrNotFound)
	require.Equal(t, v, f.version(), "sessions are no change of the catalog")
	require.Len(t, f.audits(""), audits)
}

func testSessionRotate(t *testing.T, f *fixture) {
	u := f.sessionUser()
	fam := newID()
	old := f.session(u.ID, fam)
	v := f.version()
	f.clock.Advance(time.Minute)
	next := tenant.Session{ID: newID(), UserID: u.ID, Family: fam, Hash: tenant.HashToken("next"), Address: "203.0.113.9",
		ExpiresAt: f.clock.Now().Add(time.Hour), CreatedAt: f.clock.Now()}
	require.NoError(t, f.c.RotateSession(f.ctx, old.ID, next))
	f.requireRevoked(old)
	got, err := f.c.SessionByHash(f.ctx, next.Hash)
	require.NoError(t, err)
	requireSession(t, next, got)
	require.Equal(t, v, f.version())

	f.clock.Advance(time.Minute)
	again := next
	again.ID, again.Hash = newID(), tenant.HashToken("again")
	require.ErrorIs(t, f.c.RotateSession(f.ctx, old.ID, again), tenant.ErrConflict, "old is revoked")
	_, err = f.c.SessionByHash(f.ctx, again.Hash)
	require.ErrorIs(t, err, tenant.ErrNotFound, "nothing stored")
	got, err = f.c.SessionByHash(f.ctx, old.Hash)
	require.NoError(t, err)
	requireTime(t, f.clock.Now().Add(-time.Minute), got.RevokedAt, "the first revocation stays")
	require.ErrorIs(t, f.c.RotateSession(f.ctx, newID(), again), tenant.ErrConflict, "an unknown old")
	_, err = f.c.SessionByHash(f.ctx, again.Hash)
	require.ErrorIs(t, err, tenant.ErrNotFound)
	f.requireLive(next)
}

func (f *fixture) signingKey(life time.Duration) tenant.SigningKey {
	f.t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	require.NoError(f.t, err)
	now := f.clock.Now()
	k := tenant.SigningKey{ID: newID(), PrivateKey: priv, CreatedAt: now, RetiresAt: now.Add(life / 2), ExpiresAt: now.Add(life)}
	require.NoError(f.t, f.c.AddSigningKey(f.ctx, k))
	return k
}

func testSigningKeys(t *testing.T, f *fixture) {
	t0 := f.clock.Now()
	v := f.version()
	k1 := f.signingKey(time.Hour)
	f.clock.Advance(10 * time.Minute)
	k2 := f.signingKey(2 * time.Hour)
	f.clock.Advance(10 * time.Minute)
	k3 := f.signingKey(10 * time.Minute) // expires at t0+30m
	ids := func(now time.Time) []string {
		ks, err := f.c.SigningKeys(f.ctx, now)
		require.NoError(t, err)
		var out []string
		for _, k := range ks {
			out = append(out, k.ID)
		}
		return out
	}
	require.Equal(t, []string{k3.ID, k2.ID, k1.ID}, ids(t0), "newest first")
	require.Equal(t, []string{k2.ID, k1.ID}, ids(t0.Add(30*time.Minute)), "expired at now")
	require.Equal(t, []string{k2.ID}, ids(t0.Add(time.Hour+time.Second)))
	require.Empty(t, ids(t0.Add(3*time.Hour)))
	ks, err := f.c.SigningKeys(f.ctx, t0)
	require.NoError(t, err)
	got := ks[1]
	require.Equal(t, k2.ID, got.ID)
	require.Equal(t, []byte(k2.PrivateKey), got.PrivateKey)
	requireTime(t, k2.CreatedAt, got.CreatedAt)
	requireTime(t, k2.RetiresAt, got.RetiresAt)
	requireTime(t, k2.ExpiresAt, got.ExpiresAt)
	require.Equal(t, v, f.version())
}
