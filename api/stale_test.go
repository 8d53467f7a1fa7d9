package api

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

// TestStaleTokenRefused changes, behind an admin's back, what their unexpired access token
// claims (the user deleted, disabled, demoted, its tenant deleted and made again under the
// same id): the token then reads nothing and mints no key. Its refresh token is refused, but
// for the demoted admin's, which signs in with the role the user has now.
func TestStaleTokenRefused(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		// refreshAs is the role a refresh gives; empty: it is refused.
		refreshAs tenant.Role
		change    func(t *testing.T, w *world, u tenant.User)
	}{
		{"deleted", "", func(t *testing.T, w *world, u tenant.User) {
			require.NoError(t, w.cat.DeleteUser(ctx, system, u.TenantID, u.ID))
		}},
		{"disabled", "", func(t *testing.T, w *world, u tenant.User) {
			u.Disabled = true
			_, err := w.cat.UpdateUser(ctx, system, u)
			require.NoError(t, err)
		}},
		{"demoted", tenant.RoleMember, func(t *testing.T, w *world, u tenant.User) {
			u.Role = tenant.RoleMember
			_, err := w.cat.UpdateUser(ctx, system, u)
			require.NoError(t, err)
		}},
		{"tenant re-created", "", func(t *testing.T, w *world, u tenant.User) {
			require.NoError(t, w.cat.DeleteTenant(ctx, system, u.TenantID))
			_, err := w.cat.CreateTenant(ctx, system, tenant.Tenant{ID: u.TenantID, Name: "new owner", PlanID: "basic"})
			require.NoError(t, err)
			addUser(t, w.cat, u.TenantID, "owner@new.test", tenant.RoleAdmin)
		}},
	}
	for name, open := range stores() {
		t.Run(name, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					w := newWorld(t, open(t))
					keys := trollyv1.NewKeyServiceClient(w.conn)
					streams := trollyv1.NewStreamServiceClient(w.conn)
					signIn := w.login(t, w.acme.admin.Email, "password-"+w.acme.admin.Email)
					old := signIn.GetAccessToken()
					_, err := keys.ListKeys(as(old), &trollyv1.ListKeysRequest{})
					require.NoError(t, err, "the token works before the change")

					tc.change(t, w, w.acme.admin)
					require.NoError(t, w.cache.Refresh(ctx))

					_, err = streams.ListStreams(as(old), &trollyv1.ListStreamsRequest{})
					require.Equal(t, codes.Unauthenticated, status.Code(err), "read: %v", err)
					_, err = keys.CreateKey(as(old), &trollyv1.CreateKeyRequest{Name: "backdoor", Scopes: []string{"admin"}})
					require.Equal(t, codes.Unauthenticated, status.Code(err), "create key: %v", err)
					r, err := trollyv1.NewAuthServiceClient(w.conn).Refresh(ctx, &trollyv1.RefreshRequest{RefreshToken: signIn.GetRefreshToken()})
					if tc.refreshAs == "" {
						require.Equal(t, codes.Unauthenticated, status.Code(err), "refresh: %v", err)
					} else {
						require.NoError(t, err)
						require.Equal(t, string(tc.refreshAs), r.GetPrincipal().GetRole())
					}
					ks, _, err := w.cat.ListKeys(ctx, w.acme.id, tenant.Page{})
					require.NoError(t, err)
					for _, k := range ks {
						require.NotEqual(t, "backdoor", k.Name)
					}
					_, err = keys.ListKeys(as(w.corp.memberJWT), &trollyv1.ListKeysRequest{})
					require.Equal(t, codes.PermissionDenied, status.Code(err), "others' tokens are judged as before: %v", err)
				})
			}
		})
	}
}
