package api

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/trolly-logs/trolly/tenant"
)

// Authenticator resolves the credential after "Bearer " (an access token or an API key) to
// its principal; *auth.Service is one. Refused credentials are tenant.ErrUnauthenticated.
type Authenticator interface {
	Authenticate(ctx context.Context, bearer string) (tenant.Principal, error)
}

// access is what a tenant's caller may do: a member or a read key reads, an admin or an
// admin key administers too.
type access int

const (
	accessNone access = iota
	accessRead
	accessAdmin
)

// rule says who may call one RPC. Handlers then keep tenant callers within their tenant.
type rule struct {
	// public RPCs need no credential.
	public bool
	// anyone: every authenticated caller but ingest-only keys.
	anyone bool
	// operator: operators may call it.
	operator bool
	// tenant is what a tenant's caller needs; accessNone refuses them.
	tenant access
}

// level is what a principal may do within its tenant.
func level(p tenant.Principal) access {
	if p.KeyID != "" || len(p.Scopes) > 0 {
		switch {
		case p.HasScope(tenant.ScopeAdmin):
			return accessAdmin
		case p.HasScope(tenant.ScopeRead):
			return accessRead
		}
		return accessNone
	}
	switch p.Role {
	case tenant.RoleAdmin:
		return accessAdmin
	case tenant.RoleMember:
		return accessRead
	}
	return accessNone
}

// isOperator reports whether p is a signed-in operator.
func isOperator(p tenant.Principal) bool {
	return p.Role == tenant.RoleOperator && p.TenantID == "" && p.KeyID == "" && p.UserID != ""
}

// allow checks a principal against the rule of method.
func (r rule) allow(p tenant.Principal, method string) error {
	if isOperator(p) {
		if r.operator || r.anyone {
			return nil
		}
		return status.Error(codes.PermissionDenied, "operators do not read tenants' logs")
	}
	have := level(p)
	switch {
	case p.TenantID == "" || have == accessNone:
		return status.Error(codes.PermissionDenied, "this credential may not use the API (ingest keys only ship logs)")
	case r.anyone:
		return nil
	case r.tenant == accessNone:
		return status.Errorf(codes.PermissionDenied, "only operators may call %s", method)
	case have < r.tenant:
		return status.Errorf(codes.PermissionDenied, "%s needs a tenant admin or a key with scope admin", method)
	}
	return nil
}

type principalKey struct{}

// principalFrom returns the authenticated caller; the interceptor guarantees one for every
// RPC that is not public.
func principalFrom(ctx context.Context) tenant.Principal {
	p, _ := ctx.Value(principalKey{}).(tenant.Principal)
	return p
}

// authInterceptor authenticates the Bearer credential of every call and checks the
// method's rule. A method without a rule is refused, so that none is exposed by forgetting it.
func authInterceptor(rules map[string]rule, authn Authenticator, trusted []netip.Prefix, log *slog.Logger) grpc.UnaryServerInterceptor {
	authorize := authorizer(rules, authn, trusted, log)
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := authorize(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// authStreamInterceptor is authInterceptor for streaming calls.
func authStreamInterceptor(rules map[string]rule, authn Authenticator, trusted []netip.Prefix, log *slog.Logger) grpc.StreamServerInterceptor {
	authorize := authorizer(rules, authn, trusted, log)
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := authorize(ss.Context(), info.FullMethod)
		if err != nil {
			return err
		}
		return handler(srv, &authorizedStream{ServerStream: ss, ctx: ctx})
	}
}

// authorizedStream is a stream whose context holds its caller.
type authorizedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *authorizedStream) Context() context.Context { return s.ctx }

// authorizer returns the check of both interceptors: it returns ctx with the call's
// information and, but for public methods, its principal.
func authorizer(rules map[string]rule, authn Authenticator, trusted []netip.Prefix, log *slog.Logger) func(ctx context.Context, method string) (context.Context, error) {
	return func(ctx context.Context, method string) (context.Context, error) {
		r, known := rules[method]
		if !known {
			return nil, status.Error(codes.PermissionDenied, "this method is not open")
		}
		ctx = withCallInfo(ctx, trusted)
		if r.public {
			return ctx, nil
		}
		var header string
		if md, ok := metadata.FromIncomingContext(ctx); ok {
			if v := md.Get("authorization"); len(v) > 0 {
				header = v[0]
			}
		}
		bearer, ok := tenant.BearerToken(header)
		if !ok {
			return nil, status.Error(codes.Unauthenticated, "send a credential as Authorization: Bearer <API key or access token>")
		}
		p, err := authn.Authenticate(ctx, bearer)
		if err != nil {
			if !errors.Is(err, tenant.ErrUnauthenticated) {
				log.Error("authenticate", "err", err)
				return nil, status.Error(codes.Unavailable, "credentials cannot be checked now, retry later")
			}
			return nil, status.Error(codes.Unauthenticated, "invalid credentials")
		}
		if err := r.allow(p, method); err != nil {
			return nil, err
		}
		return context.WithValue(ctx, principalKey{}, p), nil
	}
}

// actingTenant returns the tenant a call acts in: a tenant caller's own (another requested
// one answers as a missing what, never as forbidden), or the one an operator requests.
func actingTenant(p tenant.Principal, requested, what string) (string, error) {
	if isOperator(p) {
		return requested, nil
	}
	if requested != "" && requested != p.TenantID {
		return "", notFound(what)
	}
	return p.TenantID, nil
}
