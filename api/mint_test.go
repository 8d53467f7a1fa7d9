package api

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

// TestKeyMintedWithinCreator: a key that expires cannot make one that outlives it, so that
// a short-lived admin key cannot leave a permanent one behind.
func TestKeyMintedWithinCreator(t *testing.T) {
	for name, open := range stores() {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, open(t))
			ctx := context.Background()
			id, shortLived := tenant.NewKeySecret()
			_, err := w.cat.CreateKey(ctx, system, tenant.APIKey{ID: id, TenantID: w.acme.id, Name: "short", Scopes: []tenant.Scope{tenant.ScopeAdmin},
				Hash: tenant.HashKey(shortLived), ExpiresAt: time.Now().Add(time.Hour)})
			require.NoError(t, err)
			require.NoError(t, w.cache.Refresh(ctx))
			keys := trollyv1.NewKeyServiceClient(w.conn)
			for _, tc := range []struct {
				name    string
				creator string
				expires time.Duration // 0: never
				want    codes.Code
			}{
				{"expiring key, permanent key", shortLived, 0, codes.InvalidArgument},
				{"expiring key, later expiry", shortLived, 2 * time.Hour, codes.InvalidArgument},
				{"expiring key, earlier expiry", shortLived, 30 * time.Minute, codes.OK},
				{"permanent key, permanent key", w.acme.adminKey, 0, codes.OK},
				{"admin token, permanent key", w.acme.adminJWT, 0, codes.OK},
			} {
				t.Run(tc.name, func(t *testing.T) {
					req := &trollyv1.CreateKeyRequest{Name: "minted", Scopes: []string{"admin"}}
					if tc.expires > 0 {
						req.ExpireTime = timestamppb.New(time.Now().Add(tc.expires))
					}
					_, err := keys.CreateKey(as(tc.creator), req)
					require.Equal(t, tc.want, status.Code(err), "%v", err)
				})
			}
		})
	}
}

// TestGrantable: a credential grants only the scopes it holds, an admin every one.
func TestGrantable(t *testing.T) {
	admin, read, ingest := tenant.ScopeAdmin, tenant.ScopeRead, tenant.ScopeIngest
	for _, tc := range []struct {
		name   string
		p      tenant.Principal
		scopes []tenant.Scope
		ok     bool
	}{
		{"admin user, admin", tenant.Principal{TenantID: "acme", UserID: "u", Role: tenant.RoleAdmin}, []tenant.Scope{admin}, true},
		{"member, read", tenant.Principal{TenantID: "acme", UserID: "u", Role: tenant.RoleMember}, []tenant.Scope{read}, false},
		{"operator, read", tenant.Principal{UserID: "u", Role: tenant.RoleOperator}, []tenant.Scope{read}, false},
		{"admin key, ingest and read", tenant.Principal{TenantID: "acme", KeyID: "k", Scopes: []tenant.Scope{admin}}, []tenant.Scope{ingest, read}, true},
		{"read key, read", tenant.Principal{TenantID: "acme", KeyID: "k", Scopes: []tenant.Scope{read}}, []tenant.Scope{read}, true},
		{"read key, admin", tenant.Principal{TenantID: "acme", KeyID: "k", Scopes: []tenant.Scope{read}}, []tenant.Scope{read, admin}, false},
		{"read and ingest key, ingest", tenant.Principal{TenantID: "acme", KeyID: "k", Scopes: []tenant.Scope{read, ingest}}, []tenant.Scope{ingest}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.ok, grantable(tc.p, tc.scopes))
		})
	}
}
