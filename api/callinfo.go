package api

import (
	"context"
	"net"
	"net/http"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"

	"github.com/trolly-logs/trolly/tenant"
)

// mdRemoteAddr carries the REST client's address from the gateway to the gRPC server over
// the in-process connection. It is believed only on that connection: a gRPC client
// could send it too.
const mdRemoteAddr = "x-trolly-remote-addr"

// callInfo is what the interceptor learns of a call besides its credential.
type callInfo struct {
	// address is the client's host, from the connection (never from X-Forwarded-For).
	address string
	// rest: the call came through the REST mapping.
	rest bool
}

type callInfoKey struct{}

// gatewayMetadata passes the REST client's address on to the interceptor.
func gatewayMetadata(_ context.Context, r *http.Request) metadata.MD {
	return metadata.Pairs(mdRemoteAddr, r.RemoteAddr)
}

// withCallInfo stores the call's address and origin in ctx.
func withCallInfo(ctx context.Context) context.Context {
	var ci callInfo
	if pr, ok := peer.FromContext(ctx); ok && pr.Addr != nil {
		ci.address = pr.Addr.String()
		if pr.Addr.Network() == "bufconn" { // the in-process connection of the REST mapping
			ci.rest = true
			ci.address = ""
			if md, ok := metadata.FromIncomingContext(ctx); ok {
				if v := md.Get(mdRemoteAddr); len(v) > 0 {
					ci.address = v[0]
				}
			}
		}
	}
	if host, _, err := net.SplitHostPort(ci.address); err == nil {
		ci.address = host
	}
	return context.WithValue(ctx, callInfoKey{}, ci)
}

func callInfoFrom(ctx context.Context) callInfo {
	ci, _ := ctx.Value(callInfoKey{}).(callInfo)
	return ci
}

// actor is who the audit log records for a change the caller makes.
func (s *Server) actor(ctx context.Context) tenant.Actor {
	p := principalFrom(ctx)
	a := tenant.Actor{TenantID: p.TenantID, Address: callInfoFrom(ctx).address}
	if p.KeyID != "" {
		a.Kind, a.ID, a.Name = "key", p.KeyID, p.KeyName
		return a
	}
	a.Kind, a.ID = "user", p.UserID
	// The token does not carry the email; the log is for people, so look it up.
	if u, err := s.cat.GetUser(ctx, p.TenantID, p.UserID); err == nil {
		a.Name = u.Email
	}
	return a
}
