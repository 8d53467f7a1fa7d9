package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/trolly-logs/trolly/ingest/syslog"
	"github.com/trolly-logs/trolly/tenant"
)

// Protocols of the syslog listeners, as metrics and raw batches name them.
const (
	protoSyslogUDP = "syslog-udp"
	protoSyslogTCP = "syslog-tcp"
	protoSyslogTLS = "syslog-tls"
)

// Reasons a syslog message is not accepted, beside the codes of publishing (unavailable,
// too_large, internal).
const (
	reasonUnauthenticated = "unauthenticated"
	reasonForbidden       = "forbidden"
	reasonUnknownStream   = "unknown_stream"
	reasonUnavailable     = "unavailable"
	reasonRateLimited     = "rate_limited"
	reasonOverloaded      = "overloaded"
	reasonShutdown        = "shutdown"
	reasonTooMany         = "too_many_connections"
	reasonHandshake       = "tls_handshake"
)

// fallbackStream takes the messages of a sender whose app-name names none of its tenant's
// streams, when the tenant has a stream of that name.
const fallbackStream = "syslog"

const (
	// authRecheck bounds how long a listener trusts a token and a stream it has resolved:
	// a revoked key or a deleted stream takes effect within it.
	authRecheck = time.Second
	// maxCached bounds the tokens, and the stream hints of each, that a router remembers.
	maxCached = 64
)

// refusal is why a message was not accepted. detail is for the log and never holds the
// token.
type refusal struct {
	tenantID, reason, detail string
}

func (r *refusal) Error() string { return r.reason + ": " + r.detail }

// sender is an authenticated token: its tenant, budget and the streams its hints map to.
type sender struct {
	token    string
	tenantID string
	// tenantKey is the tenant's key when the token was checked (see tenant.Tenant.Key).
	tenantKey string
	backlog   int64 // the plan's share of the backlog, 0: the queue's
	lim       *rate.Limiter
	maxLine   int
	checked   time.Time
	named     map[string]*tenant.Stream // by the auth element's stream parameter; nil: none
	apps      map[string]*tenant.Stream // by app-name; nil: none
}

// router authenticates messages by their token or their connection's client certificate,
// and picks their stream, remembering both
// for authRecheck. Each TCP connection and the UDP reader have their own: it is not safe
// for concurrent use.
type router struct {
	g        *Gateway
	protocol string
	remote   string
	ar       syslog.AuthReader
	last     *sender
	senders  map[string]*sender
	// certFP is the fingerprint of the client certificate of a TLS connection, empty
	// without one; cert is its sender, rechecked as tokens are.
	certFP string
	cert   *sender
}

func newRouter(g *Gateway, protocol, remote string) *router {
	return &router{g: g, protocol: protocol, remote: remote, senders: map[string]*sender{}}
}

// accept reads the auth element of msg and returns its sender and stream.
func (rt *router) accept(ctx context.Context, msg []byte) (*sender, *tenant.Stream, syslog.Auth, *refusal) {
	a := rt.ar.Read(msg)
	s, ref := rt.who(ctx, a.Token)
	if ref != nil {
		return nil, nil, a, ref
	}
	var st *tenant.Stream
	if a.Stream != nil {
		st, ref = rt.stream(ctx, s, s.named, a.Stream, false)
	} else {
		st, ref = rt.stream(ctx, s, s.apps, a.AppName, true)
	}
	return s, st, a, ref
}

// who returns the sender of a message: its token's, else the connection's certificate's.
// On a certificate connection the certificate decides the tenant: a token must be one of
// the same tenant's ingest keys, and never moves the messages to another tenant.
func (rt *router) who(ctx context.Context, token []byte) (*sender, *refusal) {
	if rt.certFP == "" {
		if token == nil {
			return nil, &refusal{reason: reasonUnauthenticated, detail: `the message has no [auth@32473 token="..."] element`}
		}
		return rt.sender(ctx, token)
	}
	cs, ref := rt.certSender(ctx)
	if ref != nil || token == nil {
		return cs, ref
	}
	s, ref := rt.sender(ctx, token)
	if ref == nil && s.tenantID != cs.tenantID {
		return nil, &refusal{tenantID: cs.tenantID, reason: reasonForbidden,
			detail: fmt.Sprintf("the token is an ingest key of another tenant than the connection's certificate (%s)", cs.tenantID)}
	}
	return s, ref
}

// sender returns the sender of token, authenticating it when not known or known too long.
func (rt *router) sender(ctx context.Context, token []byte) (*sender, *refusal) {
	now := rt.g.now()
	s := rt.last
	if s == nil || s.token != string(token) {
		s = rt.senders[string(token)]
	}
	if s != nil && now.Sub(s.checked) < authRecheck {
		rt.last = s
		return s, nil
	}
	s, ref := rt.authenticate(ctx, string(token), now)
	if ref != nil {
		return nil, ref
	}
	if len(rt.senders) >= maxCached {
		clear(rt.senders)
	}
	rt.senders[s.token] = s
	rt.last = s
	return s, nil
}

func (rt *router) authenticate(ctx context.Context, token string, now time.Time) (*sender, *refusal) {
	p, rej := rt.g.principal(ctx, token)
	if rej != nil {
		return nil, refusalOf(p.TenantID, rej)
	}
	s, ref := rt.newSender(ctx, p.TenantID, now)
	if s != nil {
		s.token = token
	}
	return s, ref
}

// newSender returns a sender of the tenant, with its budget and bound on a message.
func (rt *router) newSender(ctx context.Context, tenantID string, now time.Time) (*sender, *refusal) {
	tn, rej := rt.g.tenantOf(ctx, tenantID)
	if rej != nil {
		return nil, refusalOf(tenantID, rej)
	}
	maxLine := min(rt.g.cfg.Syslog.MaxMessageBytes, rt.g.cfg.MaxLineBytes)
	if tn.Limits.MaxLineBytes > 0 {
		maxLine = int(min(int64(maxLine), tn.Limits.MaxLineBytes))
	}
	return &sender{
		tenantID: tenantID, tenantKey: tn.Key, backlog: tn.Limits.MaxBacklogBytes, lim: rt.g.limits.get(tn), maxLine: maxLine, checked: now,
		named: map[string]*tenant.Stream{}, apps: map[string]*tenant.Stream{},
	}, nil
}

// refusalOf is the refusal of a message for what refuses an HTTP request: the codes are
// the same reasons.
func refusalOf(tenantID string, rej *rejection) *refusal {
	return &refusal{tenantID: tenantID, reason: rej.code, detail: rej.msg}
}

// stream returns the stream hint maps to, from cache or the directory.
func (rt *router) stream(ctx context.Context, s *sender, cache map[string]*tenant.Stream, hint []byte, byApp bool) (*tenant.Stream, *refusal) {
	st, ok := cache[string(hint)]
	if !ok {
		found, err := rt.resolve(ctx, s.tenantID, string(hint), byApp)
		if err != nil {
			rt.g.log.Error("look up stream", "tenant", s.tenantID, "err", err)
			return nil, &refusal{tenantID: s.tenantID, reason: reasonUnavailable, detail: "the tenant directory is unavailable"}
		}
		if len(cache) >= maxCached {
			clear(cache)
		}
		st = found
		cache[string(hint)] = st
		if st == nil {
			rt.g.log.Warn("syslog messages dropped: no stream for them", "tenant", s.tenantID, "protocol", rt.protocol,
				"remote", rt.remote, "hint", string(hint), "by", hintKind(byApp))
		}
	}
	if st == nil {
		return nil, &refusal{tenantID: s.tenantID, reason: reasonUnknownStream,
			detail: fmt.Sprintf("%s %q names none of the tenant's streams", hintKind(byApp), hint)}
	}
	return st, nil
}

// resolve maps a hint to one of the tenant's streams. A stream parameter must name one:
// it is what the sender asked for, and a mistake there should show. An app-name names one
// by its lowercase form, else the tenant's "syslog" stream takes the message. It returns
// nil when no stream does.
func (rt *router) resolve(ctx context.Context, tenantID, hint string, byApp bool) (*tenant.Stream, error) {
	names := []string{hint}
	if byApp {
		names = []string{strings.ToLower(hint), fallbackStream}
	}
	for _, name := range names {
		if !tenant.ValidStreamName(name) {
			continue
		}
		st, err := rt.g.dir.Stream(ctx, tenantID, name)
		if errors.Is(err, tenant.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &st, nil
	}
	return nil, nil
}

func hintKind(byApp bool) string {
	if byApp {
		return "app-name"
	}
	return "stream parameter"
}
