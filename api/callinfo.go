package api

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"

	"github.com/trolly-logs/trolly/tenant"
)

// mdRemoteAddr carries the REST client's address from the gateway to the gRPC server over
// the in-process connection. It is believed only on that connection (a gRPC client could
// send it too), and no HTTP header may map to it (restHeader).
const mdRemoteAddr = "x-trolly-remote-addr"

// callInfo is what the interceptor learns of a call besides its credential.
type callInfo struct {
	// address is the client's host: the connection's peer, or what a trusted proxy's
	// X-Forwarded-For says.
	address string
	// rest: the call came through the REST mapping.
	rest bool
}

type callInfoKey struct{}

// restHeader is grpc-gateway's mapping of HTTP headers to metadata, but for the key of the
// client's address: grpc-gateway puts a client's "Grpc-Metadata-X-Trolly-Remote-Addr"
// ahead of the value gatewayMetadata sets.
func restHeader(key string) (string, bool) {
	md, ok := runtime.DefaultHeaderMatcher(key)
	if !ok || strings.EqualFold(md, mdRemoteAddr) {
		return "", false
	}
	return md, true
}

// gatewayMetadata passes the REST client's address on to the interceptor.
func (s *Server) gatewayMetadata(_ context.Context, r *http.Request) metadata.MD {
	return metadata.Pairs(mdRemoteAddr, clientAddress(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), s.trusted))
}

// withCallInfo stores the call's address and origin in ctx.
func withCallInfo(ctx context.Context, trusted []netip.Prefix) context.Context {
	var ci callInfo
	if pr, ok := peer.FromContext(ctx); ok && pr.Addr != nil {
		md, _ := metadata.FromIncomingContext(ctx)
		if pr.Addr.Network() == "bufconn" { // the in-process connection of the REST mapping
			ci.rest = true
			// The last value is gatewayMetadata's: grpc-gateway joins its own after the
			// request's.
			if v := md.Get(mdRemoteAddr); len(v) > 0 {
				ci.address = v[len(v)-1]
			}
		} else {
			ci.address = clientAddress(pr.Addr.String(), md.Get("x-forwarded-for"), trusted)
		}
	}
	return context.WithValue(ctx, callInfoKey{}, ci)
}

// clientAddress returns the host of remote, the connection's peer; when that is a trusted
// proxy, the address X-Forwarded-For names before the trusted proxies, read from the
// right, since a client can write any address at the left. A hop that is not an address
// stops the walk at the last trusted one.
func clientAddress(remote string, forwardedFor []string, trusted []netip.Prefix) string {
	host := remote
	if h, _, err := net.SplitHostPort(remote); err == nil {
		host = h
	}
	if len(trusted) == 0 || len(forwardedFor) == 0 {
		return host
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(ip, trusted) {
		return host
	}
	hops := strings.Split(strings.Join(forwardedFor, ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return host
		}
		host = hop.Unmap().String()
		if !isTrusted(hop, trusted) {
			return host
		}
	}
	return host
}

func isTrusted(ip netip.Addr, trusted []netip.Prefix) bool {
	ip = ip.Unmap()
	for _, p := range trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
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
