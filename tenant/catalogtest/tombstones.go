package catalogtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

// tombstoneTests check a tenant's key, the identity its data is filed under: never given
// twice, even to a tenant made again with the same id, and left as a tombstone on delete
// until each part of the data is purged.
func tombstoneTests() []test {
	return []test{
		{"KeyOnCreate", func(t *testing.T, f *fixture) {
			a, b := f.tenantWithPlan("acme", tenant.Limits{}), f.tenant("globex", "acme")
			for _, tn := range []tenant.Tenant{a, b} {
				require.True(t, tenant.ValidKey(tn.Key), "key %q", tn.Key)
				require.Contains(t, tn.Key, tn.ID+".", "a new key holds the id and a serial")
				got, err := f.c.GetTenant(f.ctx, tn.ID)
				require.NoError(t, err)
				require.Equal(t, tn.Key, got.Key)
			}
			require.NotEqual(t, a.Key, b.Key)
			snap, err := f.c.Snapshot(f.ctx)
			require.NoError(t, err)
			keys := map[string]string{}
			for _, tn := range snap.Tenants {
				keys[tn.ID] = tn.Key
			}
			require.Equal(t, map[string]string{"acme": a.Key, "globex": b.Key}, keys, "the snapshot carries keys")
			e := f.requireAudited("tenant.create", "globex", "globex")
			require.Equal(t, b.Key, e.Details["key"])
		}},
		{"RecreatedGetsNewKey", func(t *testing.T, f *fixture) {
			f.plan("p", tenant.Limits{})
			seen := map[string]bool{}
			var keys []string
			for range 3 {
				tn := f.tenant("globex", "p")
				require.False(t, seen[tn.Key], "key %s given twice", tn.Key)
				seen[tn.Key] = true
				keys = append(keys, tn.Key)
				f.clock.Advance(time.Second)
				require.NoError(t, f.c.DeleteTenant(f.ctx, actor, "globex"))
				e := f.requireAudited("tenant.delete", "globex", "globex")
				require.Equal(t, tn.Key, e.Details["key"])
			}
			for _, part := range []string{tenant.PurgeSearch, tenant.PurgeArchive} {
				ts, err := f.c.Tombstones(f.ctx, part)
				require.NoError(t, err)
				var got []string
				for _, tb := range ts {
					require.Equal(t, "globex", tb.TenantID)
					require.Empty(t, tb.Purged)
					got = append(got, tb.Key)
				}
				require.Equal(t, keys, got, "%s: every deleted key, oldest first", part)
			}
		}},
		{"MarkPurged", func(t *testing.T, f *fixture) {
			gone := f.tenantWithPlan("acme", tenant.Limits{})
			f.tenant("globex", "acme")
			require.NoError(t, f.c.DeleteTenant(f.ctx, actor, "acme"))
			v := f.version()
			f.clock.Advance(time.Minute)
			require.NoError(t, f.c.MarkPurged(f.ctx, actor, gone.Key, tenant.PurgeSearch, map[string]string{"indices": "3"}))
			e := f.requireAudited("tenant.purged", "acme", gone.Key)
			require.Equal(t, map[string]string{"part": "search", "indices": "3"}, e.Details)
			require.Greater(t, f.version(), v)

			ts, err := f.c.Tombstones(f.ctx, tenant.PurgeSearch)
			require.NoError(t, err)
			require.Empty(t, ts, "search is purged")
			ts, err = f.c.Tombstones(f.ctx, tenant.PurgeArchive)
			require.NoError(t, err)
			require.Len(t, ts, 1, "the archive is not")
			requireTime(t, f.clock.Now(), ts[0].Purged[tenant.PurgeSearch])

			require.ErrorIs(t, f.c.MarkPurged(f.ctx, actor, "globex.999999", tenant.PurgeSearch, nil), tenant.ErrNotFound)
			require.ErrorIs(t, f.c.MarkPurged(f.ctx, actor, gone.Key, "indices", nil), tenant.ErrInvalid)
			_, err = f.c.Tombstones(f.ctx, "everything")
			require.ErrorIs(t, err, tenant.ErrInvalid)
		}},
	}
}
