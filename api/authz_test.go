package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

// publicRPCs need no credential.
var publicRPCs = map[string]bool{
	trollyv1.AuthService_Login_FullMethodName:   true,
	trollyv1.AuthService_Refresh_FullMethodName: true,
	trollyv1.AuthService_Logout_FullMethodName:  true,
}

// TestRefusedEverywhere calls every RPC with credentials that may call none of them.
func TestRefusedEverywhere(t *testing.T) {
	for name, open := range stores() {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, open(t))
			for _, c := range []struct {
				name   string
				bearer string
				want   codes.Code
			}{
				{"ingest key", w.acme.ingestKey, codes.PermissionDenied},
				{"no credential", "", codes.Unauthenticated},
				{"unknown key", "trl_01ARZ3NDEKTSV4RRFFQ69G5FAV_nope", codes.Unauthenticated},
			} {
				for _, r := range everyRPC(t) {
					if publicRPCs[r.name] {
						continue
					}
					err := r.call(as(c.bearer), w.conn)
					require.Equal(t, c.want, status.Code(err), "%s calling %s: %v", c.name, r.name, err)
				}
			}
		})
	}
}

// TestRoles checks what each kind of caller may not do; the matrix and the REST round trip
// check what they may.
func TestRoles(t *testing.T) {
	w := newWorld(t, stores()["sqlite"](t))
	tenantOnly := []string{"SearchService", "TailService", "StreamService", "KeyService", "CertificateService"}
	operatorOnly := []string{"PlanService", "TenantService/ListTenants", "TenantService/CreateTenant",
		"TenantService/UpdateTenant", "TenantService/DeleteTenant"}
	adminOnly := []string{"StreamService/CreateStream", "StreamService/UpdateStream", "StreamService/DeleteStream",
		"KeyService", "CertificateService", "UserService", "AuditService"}
	matches := func(name string, prefixes []string) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(name, "/trolly.v1."+p) {
				return true
			}
		}
		return false
	}
	for _, r := range everyRPC(t) {
		if matches(r.name, tenantOnly) {
			err := r.call(as(w.operator), w.conn)
			require.Equal(t, codes.PermissionDenied, status.Code(err), "operator calling %s: %v", r.name, err)
			require.Equal(t, "operators do not read tenants' logs", status.Convert(err).Message())
		}
		if matches(r.name, operatorOnly) {
			for _, bearer := range []string{w.acme.adminJWT, w.acme.adminKey, w.acme.memberJWT} {
				err := r.call(as(bearer), w.conn)
				require.Equal(t, codes.PermissionDenied, status.Code(err), "tenant calling %s: %v", r.name, err)
			}
		}
		if matches(r.name, adminOnly) {
			for _, bearer := range []string{w.acme.memberJWT, w.acme.readKey} {
				err := r.call(as(bearer), w.conn)
				require.Equal(t, codes.PermissionDenied, status.Code(err), "member calling %s: %v", r.name, err)
			}
		}
	}

	users := trollyv1.NewUserServiceClient(w.conn)
	pw := "a long password"
	for _, bearer := range []string{w.acme.adminJWT, w.acme.adminKey} {
		_, err := users.CreateUser(as(bearer), &trollyv1.CreateUserRequest{User: &trollyv1.User{Email: "op2@acme.test", Role: "operator", Password: &pw}})
		require.Equal(t, codes.PermissionDenied, status.Code(err), "a tenant admin makes an operator: %v", err)
		_, err = users.UpdateUser(as(bearer), &trollyv1.UpdateUserRequest{User: &trollyv1.User{Id: w.acme.user.ID, Role: "operator"},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"role"}}})
		require.Equal(t, codes.PermissionDenied, status.Code(err), "a tenant admin promotes to operator: %v", err)
	}
	u, err := users.CreateUser(as(w.acme.adminJWT), &trollyv1.CreateUserRequest{User: &trollyv1.User{Email: "new@acme.test", Role: "admin", Password: &pw}})
	require.NoError(t, err, "a tenant admin makes an admin of its own tenant")
	require.Equal(t, "acme", u.GetUser().GetTenantId())
	require.Nil(t, u.GetUser().Password, "the password is never answered")

	op, err := users.CreateUser(as(w.operator), &trollyv1.CreateUserRequest{User: &trollyv1.User{Email: "op2@trolly.test", Role: "operator", Password: &pw}})
	require.NoError(t, err, "an operator makes an operator")
	_, err = users.GetUser(as(w.acme.adminJWT), &trollyv1.GetUserRequest{Id: op.GetUser().GetId()})
	require.Equal(t, codes.NotFound, status.Code(err), "operators are no tenant's users: %v", err)

	me, err := trollyv1.NewAuthServiceClient(w.conn).WhoAmI(as(w.acme.readKey), &trollyv1.WhoAmIRequest{})
	require.NoError(t, err)
	want := &trollyv1.WhoAmIResponse{TenantId: "acme", KeyId: w.acme.readID, Scopes: []string{"read"}}
	require.True(t, proto.Equal(want, me), "%v", me)
	own, err := trollyv1.NewTenantServiceClient(w.conn).GetTenant(as(w.acme.memberJWT), &trollyv1.GetTenantRequest{Id: "acme"})
	require.NoError(t, err, "a member reads its own tenant")
	require.Equal(t, int32(10), own.GetTenant().GetLimits().GetMaxStreams())
}

// TestTokens refuses every access token that is not one the service signed and still valid,
// and every revoked credential.
func TestTokens(t *testing.T) {
	w := newWorld(t, stores()["sqlite"](t))
	streams := trollyv1.NewStreamServiceClient(w.conn)
	list := func(bearer string) error {
		_, err := streams.ListStreams(as(bearer), &trollyv1.ListStreamsRequest{})
		return err
	}
	require.NoError(t, list(w.acme.memberJWT))

	parts := strings.Split(w.acme.memberJWT, ".")
	require.Len(t, parts, 3)
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var c map[string]any
	require.NoError(t, json.Unmarshal(claims, &c))
	c["tid"], c["tenant"], c["role"] = "acme-corp", "acme-corp", "admin"
	forged, err := json.Marshal(c)
	require.NoError(t, err)
	forgedPayload := base64.RawURLEncoding.EncodeToString(forged)
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	sig := []byte(parts[2])
	sig[len(sig)/2] ^= 1
	for name, token := range map[string]string{
		"claims changed":   parts[0] + "." + forgedPayload + "." + parts[2],
		"signature broken": parts[0] + "." + parts[1] + "." + string(sig),
		"alg none":         none + "." + parts[1] + ".",
		"alg none forged":  none + "." + forgedPayload + ".",
		"garbage":          "a.b.c",
	} {
		require.Equal(t, codes.Unauthenticated, status.Code(list(token)), name)
	}

	// A logged-out refresh token is refused.
	auth := trollyv1.NewAuthServiceClient(w.conn)
	signIn := w.login(t, w.acme.admin.Email, "password-"+w.acme.admin.Email)
	_, err = auth.Logout(context.Background(), &trollyv1.LogoutRequest{RefreshToken: signIn.GetRefreshToken()})
	require.NoError(t, err)
	_, err = auth.Refresh(context.Background(), &trollyv1.RefreshRequest{RefreshToken: signIn.GetRefreshToken()})
	require.Equal(t, codes.Unauthenticated, status.Code(err), "%v", err)

	// A revoked API key stops working once the cache has reloaded.
	_, err = trollyv1.NewKeyServiceClient(w.conn).RevokeKey(as(w.acme.adminJWT), &trollyv1.RevokeKeyRequest{Id: w.acme.readID})
	require.NoError(t, err)
	require.NoError(t, w.cache.Refresh(context.Background()))
	require.Equal(t, codes.Unauthenticated, status.Code(list(w.acme.readKey)))
	require.NoError(t, list(w.acme.adminKey), "the other keys still work")

	// An expired access token is refused.
	w.clock.advance(time.Hour)
	require.Equal(t, codes.Unauthenticated, status.Code(list(w.acme.memberJWT)))
}

// TestActorAddress records the address of the connection, whatever a request claims.
func TestActorAddress(t *testing.T) {
	w := newWorld(t, stores()["sqlite"](t))
	ctx := metadata.AppendToOutgoingContext(as(w.acme.adminJWT), mdRemoteAddr, "198.51.100.7", "x-forwarded-for", "198.51.100.7")
	_, err := trollyv1.NewStreamServiceClient(w.conn).CreateStream(ctx, &trollyv1.CreateStreamRequest{Stream: &trollyv1.Stream{Name: "grpc", SourceType: "json"}})
	require.NoError(t, err)

	req, err := http.NewRequest("POST", w.rest+"/api/v1/streams", strings.NewReader(`{"name":"rest","source_type":"json"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+w.acme.adminJWT)
	req.Header.Set("X-Forwarded-For", "198.51.100.7")
	req.Header.Set(mdRemoteAddr, "198.51.100.7")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	entries, _, err := w.cat.ListAudit(context.Background(), tenant.AuditFilter{TenantID: "acme", Action: "stream.create"}, tenant.Page{})
	require.NoError(t, err)
	require.Len(t, entries, 3, "the fixture's stream, then these two")
	for _, e := range entries[:2] {
		require.Equal(t, tenant.Actor{Kind: "user", ID: w.acme.admin.ID, Name: w.acme.admin.Email, TenantID: "acme", Address: "127.0.0.1"}, e.Actor, e.Target)
	}
}
