package api

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
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

// TestCrossTenantSearchCalls calls every search call as each tenant, over REST and gRPC,
// with queries, fields and parameters that name the other tenant: no answer holds any of
// the other's values, counts, field names or lines.
func TestCrossTenantSearchCalls(t *testing.T) {
	f := newCallsFixture(t)
	for _, tc := range []struct {
		key, other string
		// marks are in the other tenant's events and in none of the caller's answers;
		// field is a field only the other has, and queries find only the other's events.
		marks   []string
		field   string
		queries []string
	}{
		{"demo-rd", "acme", []string{"bravo", "acme-web", "acme-c-", `"acme"`}, "acme_only",
			[]string{"bravo", "organization.id:acme", "acme_only.secret:bravo-secret", "event.id:acme-c-1"}},
		{"acme-rd", "demo", []string{"alpha", "demo-web", "demo-c-", `"demo"`}, "",
			[]string{"alpha", "organization.id:demo", "event.id:demo-c-1"}},
	} {
		for _, q := range append([]string{""}, tc.queries...) {
			targeted := q != ""
			for _, call := range []struct {
				path  string
				extra url.Values
			}{
				{"/api/v1/search", url.Values{"fields": {"acme_only.secret,host.name,message"}}},
				{"/api/v1/search/count", nil},
				{"/api/v1/search/histogram", url.Values{"by": {"host.name"}}},
				{"/api/v1/search/histogram", url.Values{"by": {"acme_only.secret"}}},
				{"/api/v1/search/facets", nil},
				{"/api/v1/search/facets", url.Values{"fields": {"acme_only.secret,host.name,organization.id"}}},
				{"/api/v1/search/fields", nil},
				{"/api/v1/search/export", nil},
			} {
				p := wholeRange(q)
				p.Set("tenant", tc.other) // not a parameter of the API: ignored, never obeyed
				for k, v := range call.extra {
					p[k] = v
				}
				a := f.fetch(t, call.path, tc.key, p)
				require.Equal(t, http.StatusOK, a.status, "%s %s %q: %s", tc.key, call.path, q, a.raw)
				marks := tc.marks
				if call.extra == nil && tc.field != "" {
					marks = append(marks, tc.field) // a field name the request does not echo
				}
				for _, m := range marks {
					require.NotContains(t, a.raw, m, "%s %s %q", tc.key, call.path, q)
				}
				if targeted {
					requireNothing(t, call.path, a.raw)
				}
			}
			ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tc.key, "x-tenant", tc.other)
			r := wholeRange(q)
			answers := grpcCalls(t, ctx, f.grpc, q, r.Get("from"), r.Get("to"))
			for name, out := range answers {
				for _, m := range tc.marks {
					require.NotContains(t, out, m, "gRPC %s %s %q", tc.key, name, q)
				}
				if tc.field != "" && (name == "ListFields" || name == "Facets" || name == "Export") {
					require.NotContains(t, out, tc.field, "gRPC %s %s %q", tc.key, name, q)
				}
				if targeted {
					require.NotContains(t, out, `"count"`, "gRPC %s %s %q: counts nothing", tc.key, name, q)
				}
			}
		}
	}
}

// requireNothing checks that an answer found no event.
func requireNothing(t *testing.T, path, raw string) {
	t.Helper()
	switch path {
	case "/api/v1/search", "/api/v1/search/count", "/api/v1/search/histogram":
		require.Contains(t, raw, `"total":"0"`, path)
	case "/api/v1/search/export":
		require.Empty(t, raw, path)
	case "/api/v1/search/facets":
		require.NotContains(t, raw, `"count"`, path)
	case "/api/v1/search/fields":
		require.JSONEq(t, `{"fields":[]}`, raw, path)
	}
}

// grpcCalls makes every search call over gRPC, returning each answer as JSON text.
func grpcCalls(t *testing.T, ctx context.Context, c trollyv1.SearchServiceClient, q, from, to string) map[string]string {
	t.Helper()
	out := map[string]string{}
	text := func(name string, m proto.Message, err error) {
		require.NoError(t, err, name)
		b, err := protojson.Marshal(m)
		require.NoError(t, err)
		out[name] = string(b)
	}
	s, err := c.Search(ctx, &trollyv1.SearchRequest{Q: q, From: from, To: to, Fields: []string{"acme_only.secret", "host.name"}})
	text("Search", s, err)
	n, err := c.Count(ctx, &trollyv1.CountRequest{Q: q, From: from, To: to})
	text("Count", n, err)
	h, err := c.Histogram(ctx, &trollyv1.HistogramRequest{Q: q, From: from, To: to, By: "acme_only.secret"})
	text("Histogram", h, err)
	fa, err := c.Facets(ctx, &trollyv1.FacetsRequest{Q: q, From: from, To: to})
	text("Facets", fa, err)
	fl, err := c.ListFields(ctx, &trollyv1.ListFieldsRequest{Q: q, From: from, To: to})
	text("ListFields", fl, err)
	stream, err := c.Export(ctx, &trollyv1.ExportRequest{Q: q, From: from, To: to})
	require.NoError(t, err)
	out["Export"] = readExport(t, stream)
	return out
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
