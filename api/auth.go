package api

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

// methodScopes says what each RPC needs. An RPC missing here is refused, so a new one cannot
// be exposed by forgetting it.
var methodScopes = map[string]tenant.Scope{
	trollyv1.SearchService_Search_FullMethodName: tenant.ScopeRead,
}

type principalKey struct{}

// principalFrom returns the authenticated caller; the interceptor guarantees one.
func principalFrom(ctx context.Context) (tenant.Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(tenant.Principal)
	return p, ok
}

// authInterceptor authenticates the Bearer key of every call and checks its scope.
func authInterceptor(dir tenant.Directory, log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		need, known := methodScopes[info.FullMethod]
		if !known {
			return nil, status.Error(codes.PermissionDenied, "this method is not open to API keys")
		}
		var header string
		if md, ok := metadata.FromIncomingContext(ctx); ok {
			if v := md.Get("authorization"); len(v) > 0 {
				header = v[0]
			}
		}
		secret, ok := tenant.BearerToken(header)
		if !ok {
			return nil, status.Error(codes.Unauthenticated, "send a key as Authorization: Bearer <key>")
		}
		p, err := dir.Authenticate(ctx, secret)
		if err != nil {
			if !errors.Is(err, tenant.ErrUnauthenticated) {
				log.Error("authenticate", "err", err)
				return nil, status.Error(codes.Unavailable, "the tenant directory is unavailable, retry later")
			}
			return nil, status.Error(codes.Unauthenticated, "invalid API key")
		}
		if !p.HasScope(need) {
			return nil, status.Errorf(codes.PermissionDenied, "this key has scopes %q; %s needs %q", p.Scopes, info.FullMethod, need)
		}
		return handler(context.WithValue(ctx, principalKey{}, p), req)
	}
}
