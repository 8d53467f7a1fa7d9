package api

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/trolly-logs/trolly/tenant"
)

// world is two tenants whose ids share a prefix, acme and acme-corp, each with an admin,
// a member, a user to act on, an ingest, a read and an admin key and a stream, and an
// operator; every credential ready to use.
type world struct {
	*env
	operator string
	acme     *org
	corp     *org
}

// org is one tenant of the world.
type org struct {
	id                        string
	admin, member, user       tenant.User
	adminJWT, memberJWT       string
	ingestKey, readKey        string
	adminKey                  string
	ingestID, readID, adminID string
	stream                    string
	certID                    string
}

func newWorld(t *testing.T, cat tenant.Catalog) *world {
	t.Helper()
	return newWorldWith(t, cat, nil)
}

// newWorldWith is newWorld with the API's configuration changed by apiCfg, when not nil.
func newWorldWith(t *testing.T, cat tenant.Catalog, apiCfg func(*Config)) *world {
	t.Helper()
	ctx := context.Background()
	_, err := cat.CreatePlan(ctx, system, tenant.Plan{ID: "basic", Name: "Basic", Limits: tenant.Limits{MaxStreams: 10}})
	require.NoError(t, err)
	addUser(t, cat, "", "op@trolly.test", tenant.RoleOperator)
	w := &world{acme: &org{id: "acme", stream: "web"}, corp: &org{id: "acme-corp", stream: "app"}}
	for _, o := range []*org{w.acme, w.corp} {
		_, err := cat.CreateTenant(ctx, system, tenant.Tenant{ID: o.id, Name: o.id, PlanID: "basic"})
		require.NoError(t, err)
		o.admin = addUser(t, cat, o.id, "admin@"+o.id+".test", tenant.RoleAdmin)
		o.member = addUser(t, cat, o.id, "member@"+o.id+".test", tenant.RoleMember)
		o.user = addUser(t, cat, o.id, "user@"+o.id+".test", tenant.RoleMember)
		var k tenant.APIKey
		k, o.ingestKey = addKey(t, cat, o.id, "ingest", tenant.ScopeIngest)
		o.ingestID = k.ID
		k, o.readKey = addKey(t, cat, o.id, "read", tenant.ScopeRead)
		o.readID = k.ID
		k, o.adminKey = addKey(t, cat, o.id, "admin", tenant.ScopeAdmin)
		o.adminID = k.ID
		_, err = cat.CreateStream(ctx, system, tenant.Stream{TenantID: o.id, Name: o.stream, SourceType: "json", Labels: map[string]string{"env": "prod"}})
		require.NoError(t, err)
		o.certID = addCert(t, cat, o.id, "host-of-"+o.id).ID
	}
	w.env = newEnvWith(t, cat, nil, apiCfg, nil)
	w.operator = w.login(t, "op@trolly.test", "password-op@trolly.test").GetAccessToken()
	for _, o := range []*org{w.acme, w.corp} {
		o.adminJWT = w.login(t, o.admin.Email, "password-"+o.admin.Email).GetAccessToken()
		o.memberJWT = w.login(t, o.member.Email, "password-"+o.member.Email).GetAccessToken()
	}
	return w
}

// rpc is one method of the API, callable with an empty request.
type rpc struct {
	name   string // "/trolly.v1.KeyService/ListKeys"
	method protoreflect.MethodDescriptor
}

// everyRPC lists every method of every service of package trolly.v1.
func everyRPC(t *testing.T) []rpc {
	t.Helper()
	var out []rpc
	protoregistry.GlobalFiles.RangeFilesByPackage("trolly.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			for j := range sd.Methods().Len() {
				m := sd.Methods().Get(j)
				out = append(out, rpc{name: "/" + string(sd.FullName()) + "/" + string(m.Name()), method: m})
			}
		}
		return true
	})
	require.Len(t, out, len(methodRules()))
	return out
}

// call invokes r with an empty request.
func (r rpc) call(ctx context.Context, conn *grpc.ClientConn) error {
	in, err := protoregistry.GlobalTypes.FindMessageByName(r.method.Input().FullName())
	if err != nil {
		return err
	}
	out, err := protoregistry.GlobalTypes.FindMessageByName(r.method.Output().FullName())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return conn.Invoke(ctx, r.name, in.New().Interface(), out.New().Interface())
}
