package api

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

// crossCase is one RPC that names a resource: called on another tenant's resource and on
// one that does not exist, it must answer the same NotFound.
type crossCase struct {
	name    string
	admin   bool // needs a tenant admin: a member is refused before any lookup
	other   string
	missing string
	call    func(ctx context.Context, target string) error
}

func crossCases(w *world) []crossCase {
	users := trollyv1.NewUserServiceClient(w.conn)
	keys := trollyv1.NewKeyServiceClient(w.conn)
	certs := trollyv1.NewCertificateServiceClient(w.conn)
	streams := trollyv1.NewStreamServiceClient(w.conn)
	tenants := trollyv1.NewTenantServiceClient(w.conn)
	audit := trollyv1.NewAuditServiceClient(w.conn)
	corp := w.corp
	const noUser, noTenant = "01ARZ3NDEKTSV4RRFFQ69G5FAV", "no-such-tenant"
	mask := &fieldmaskpb.FieldMask{Paths: []string{"name"}}
	return []crossCase{
		{"GetUser", true, corp.user.ID, noUser, func(ctx context.Context, id string) error {
			_, err := users.GetUser(ctx, &trollyv1.GetUserRequest{Id: id})
			return err
		}},
		{"GetUser tenant_id", true, corp.id, noTenant, func(ctx context.Context, tid string) error {
			_, err := users.GetUser(ctx, &trollyv1.GetUserRequest{Id: corp.user.ID, TenantId: tid})
			return err
		}},
		{"UpdateUser", true, corp.user.ID, noUser, func(ctx context.Context, id string) error {
			_, err := users.UpdateUser(ctx, &trollyv1.UpdateUserRequest{User: &trollyv1.User{Id: id, Name: "taken"}, UpdateMask: mask})
			return err
		}},
		{"UpdateUser tenant_id", true, corp.id, noTenant, func(ctx context.Context, tid string) error {
			_, err := users.UpdateUser(ctx, &trollyv1.UpdateUserRequest{User: &trollyv1.User{Id: corp.user.ID, Name: "taken"}, UpdateMask: mask, TenantId: tid})
			return err
		}},
		{"DeleteUser", true, corp.user.ID, noUser, func(ctx context.Context, id string) error {
			_, err := users.DeleteUser(ctx, &trollyv1.DeleteUserRequest{Id: id})
			return err
		}},
		{"DeleteUser tenant_id", true, corp.id, noTenant, func(ctx context.Context, tid string) error {
			_, err := users.DeleteUser(ctx, &trollyv1.DeleteUserRequest{Id: corp.user.ID, TenantId: tid})
			return err
		}},
		{"ListUsers tenant_id", true, corp.id, noTenant, func(ctx context.Context, tid string) error {
			_, err := users.ListUsers(ctx, &trollyv1.ListUsersRequest{TenantId: tid})
			return err
		}},
		{"CreateUser tenant_id", true, corp.id, noTenant, func(ctx context.Context, tid string) error {
			pw := "a long password"
			_, err := users.CreateUser(ctx, &trollyv1.CreateUserRequest{User: &trollyv1.User{TenantId: tid, Email: "new@" + tid + ".test", Role: "admin", Password: &pw}})
			return err
		}},
		{"GetKey", true, corp.readID, noUser, func(ctx context.Context, id string) error {
			_, err := keys.GetKey(ctx, &trollyv1.GetKeyRequest{Id: id})
			return err
		}},
		{"RevokeKey", true, corp.readID, noUser, func(ctx context.Context, id string) error {
			_, err := keys.RevokeKey(ctx, &trollyv1.RevokeKeyRequest{Id: id})
			return err
		}},
		{"GetCertificate", true, corp.certID, noUser, func(ctx context.Context, id string) error {
			_, err := certs.GetCertificate(ctx, &trollyv1.GetCertificateRequest{Id: id})
			return err
		}},
		{"RevokeCertificate", true, corp.certID, noUser, func(ctx context.Context, id string) error {
			_, err := certs.RevokeCertificate(ctx, &trollyv1.RevokeCertificateRequest{Id: id})
			return err
		}},
		{"GetStream", false, corp.stream, "no-such-stream", func(ctx context.Context, name string) error {
			_, err := streams.GetStream(ctx, &trollyv1.GetStreamRequest{Name: name})
			return err
		}},
		{"UpdateStream", true, corp.stream, "no-such-stream", func(ctx context.Context, name string) error {
			_, err := streams.UpdateStream(ctx, &trollyv1.UpdateStreamRequest{
				Stream: &trollyv1.Stream{Name: name, SourceType: "syslog"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"source_type"}}})
			return err
		}},
		{"DeleteStream", true, corp.stream, "no-such-stream", func(ctx context.Context, name string) error {
			_, err := streams.DeleteStream(ctx, &trollyv1.DeleteStreamRequest{Name: name})
			return err
		}},
		{"GetTenant", false, corp.id, noTenant, func(ctx context.Context, id string) error {
			_, err := tenants.GetTenant(ctx, &trollyv1.GetTenantRequest{Id: id})
			return err
		}},
		{"ListAuditEntries tenant_id", true, corp.id, noTenant, func(ctx context.Context, tid string) error {
			_, err := audit.ListAuditEntries(ctx, &trollyv1.ListAuditEntriesRequest{TenantId: tid})
			return err
		}},
	}
}

// TestCrossTenantMatrix calls, as acme's admin, member and admin key, every RPC that names
// a resource on acme-corp's: each answers as for a resource that does not exist, and
// nothing of acme-corp changes.
func TestCrossTenantMatrix(t *testing.T) {
	for name, open := range stores() {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, open(t))
			ctx := context.Background()
			before, _, err := w.cat.ListAudit(ctx, tenant.AuditFilter{TenantID: w.corp.id}, tenant.Page{})
			require.NoError(t, err)
			callers := []struct {
				name   string
				bearer string
				admin  bool
			}{{"admin JWT", w.acme.adminJWT, true}, {"member JWT", w.acme.memberJWT, false}, {"admin key", w.acme.adminKey, true}}
			for _, c := range callers {
				for _, tc := range crossCases(w) {
					t.Run(c.name+"/"+tc.name, func(t *testing.T) {
						missing := tc.call(as(c.bearer), tc.missing)
						other := tc.call(as(c.bearer), tc.other)
						if tc.admin && !c.admin {
							require.Equal(t, codes.PermissionDenied, status.Code(missing), "%v", missing)
							require.Equal(t, codes.PermissionDenied, status.Code(other), "%v", other)
							return
						}
						require.Equal(t, codes.NotFound, status.Code(missing), "%v", missing)
						require.Equal(t, codes.NotFound, status.Code(other), "%v", other)
						require.Equal(t, status.Convert(missing).Message(), status.Convert(other).Message())
					})
				}
			}
			w.requireCorpUnchanged(t, len(before))
		})
	}
}

// requireCorpUnchanged reads acme-corp back as acme-corp.
func (w *world) requireCorpUnchanged(t *testing.T, auditEntries int) {
	t.Helper()
	ctx := as(w.corp.adminJWT)
	u, err := trollyv1.NewUserServiceClient(w.conn).GetUser(ctx, &trollyv1.GetUserRequest{Id: w.corp.user.ID})
	require.NoError(t, err)
	require.Equal(t, w.corp.user.Name, u.GetUser().GetName())
	k, err := trollyv1.NewKeyServiceClient(w.conn).GetKey(ctx, &trollyv1.GetKeyRequest{Id: w.corp.readID})
	require.NoError(t, err)
	require.Nil(t, k.GetKey().GetRevokeTime())
	c, err := trollyv1.NewCertificateServiceClient(w.conn).GetCertificate(ctx, &trollyv1.GetCertificateRequest{Id: w.corp.certID})
	require.NoError(t, err)
	require.Nil(t, c.GetCertificate().GetRevokeTime())
	s, err := trollyv1.NewStreamServiceClient(w.conn).GetStream(ctx, &trollyv1.GetStreamRequest{Name: w.corp.stream})
	require.NoError(t, err)
	require.Equal(t, "json", s.GetStream().GetSourceType())
	users, _, err := w.cat.ListUsers(context.Background(), w.corp.id, tenant.Page{})
	require.NoError(t, err)
	require.Len(t, users, 3, "no user was made in acme-corp")
	after, _, err := w.cat.ListAudit(context.Background(), tenant.AuditFilter{TenantID: w.corp.id}, tenant.Page{})
	require.NoError(t, err)
	require.Len(t, after, auditEntries, "no change was recorded for acme-corp")
	_, err = trollyv1.NewSearchServiceClient(w.conn).Search(as(w.corp.readKey), &trollyv1.SearchRequest{})
	require.NoError(t, err, "acme-corp's read key still works")
}

// TestCrossTenantTail opens live tails as every kind of acme's caller, over gRPC and REST,
// with queries that name acme-corp, whose id acme's starts: acme-corp's events, published
// first, never reach them, and acme's own do.
func TestCrossTenantTail(t *testing.T) {
	w := newWorld(t, stores()["sqlite"](t))
	callers := map[string]string{"admin JWT": w.acme.adminJWT, "member JWT": w.acme.memberJWT, "admin key": w.acme.adminKey, "read key": w.acme.readKey}
	for name, bearer := range callers {
		// Each query matches acme-corp's event if it leaked.
		for _, q := range []string{"", "shared", "organization.id:acme-corp OR acme-marker", "corp-secret OR acme-marker"} {
			t.Run(name+"/"+q, func(t *testing.T) {
				st := grpcTail(t, w.conn, bearer, q)
				resp, events := sseTail(t, w.rest, bearer, q)
				require.Equal(t, 200, resp.StatusCode)
				w.publish(t, "acme-corp", "corp-secret")
				w.publish(t, "acme", "acme-marker")
				require.Equal(t, "acme-marker", nextHit(t, st).GetId())
				ev := nextSSE(t, events)
				require.Equal(t, "hit", ev.name)
				require.Equal(t, "acme-marker", hitID(t, ev.data))
			})
		}
	}
}
