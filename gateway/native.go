package gateway

import (
	"context"
	"errors"
	"net/http"

	"github.com/trolly-logs/trolly/internal/httpx"
	"github.com/trolly-logs/trolly/tenant"
)

// handleNative serves POST /ingest/v1/streams/{stream}: text lines or NDJSON, optionally
// gzip, with an ingest key.
func (g *Gateway) handleNative(w http.ResponseWriter, r *http.Request) {
	const protocol = "native"
	p, rej := g.authenticate(r)
	if rej != nil {
		g.fail(w, protocol, p.TenantID, rej)
		return
	}
	st, err := g.dir.Stream(r.Context(), p.TenantID, r.PathValue("stream"))
	if err != nil {
		g.fail(w, protocol, p.TenantID, g.fromLookup(err, r.PathValue("stream")))
		return
	}
	tn, err := g.dir.Tenant(r.Context(), p.TenantID)
	if err != nil {
		g.fail(w, protocol, p.TenantID, g.fromLookup(err, r.PathValue("stream")))
		return
	}
	lim := g.limits.get(tn)
	if rej := precheck(lim, g.now()); rej != nil {
		g.fail(w, protocol, p.TenantID, rej)
		return
	}
	decode, rej := nativeDecoder(r.Header.Get("Content-Type"))
	if rej != nil {
		g.fail(w, protocol, p.TenantID, rej)
		return
	}
	body, rej := readBody(w, r, g.cfg.MaxBodyBytes)
	if rej != nil {
		g.fail(w, protocol, p.TenantID, rej)
		return
	}
	defer putBuffer(body)
	recs, err := decode(body.Bytes(), int(min(int64(g.cfg.MaxLineBytes), tn.Limits.MaxLineBytes)))
	if err != nil {
		g.fail(w, protocol, p.TenantID, fromIngest(err))
		return
	}
	if rej := take(lim, g.now(), body.Len()); rej != nil {
		g.fail(w, protocol, p.TenantID, rej)
		return
	}
	if rej := g.publish(r.Context(), p.TenantID, st, "http", r.RemoteAddr, recs); rej != nil {
		g.fail(w, protocol, p.TenantID, rej)
		return
	}
	g.metrics.records.WithLabelValues(p.TenantID, protocol).Add(float64(len(recs)))
	g.metrics.bytes.WithLabelValues(p.TenantID, protocol).Add(float64(body.Len()))
	httpx.WriteJSON(w, http.StatusAccepted, map[string]int{"accepted": len(recs)})
}

// authenticate returns the principal of the request's ingest key.
func (g *Gateway) authenticate(r *http.Request) (tenant.Principal, *rejection) {
	secret, ok := tenant.BearerToken(r.Header.Get("Authorization"))
	if !ok {
		return tenant.Principal{}, reject(http.StatusUnauthorized, "unauthenticated", "send an ingest key as Authorization: Bearer <key>")
	}
	return g.principal(r.Context(), secret)
}

// principal returns the principal of an ingest key, whatever protocol carried it.
func (g *Gateway) principal(ctx context.Context, secret string) (tenant.Principal, *rejection) {
	p, err := g.dir.Authenticate(ctx, secret)
	if err != nil {
		if !errors.Is(err, tenant.ErrUnauthenticated) {
			g.log.Error("authenticate", "err", err)
		}
		return tenant.Principal{}, reject(http.StatusUnauthorized, "unauthenticated", "invalid API key")
	}
	if !p.HasScope(tenant.ScopeIngest) {
		return p, reject(http.StatusForbidden, "forbidden", "this key may not ingest: it has scopes %q", p.Scopes)
	}
	return p, nil
}

func (g *Gateway) fromLookup(err error, stream string) *rejection {
	if errors.Is(err, tenant.ErrNotFound) {
		return reject(http.StatusNotFound, "not_found", "stream %q not found", stream)
	}
	g.log.Error("look up stream", "stream", stream, "err", err)
	return reject(http.StatusServiceUnavailable, "unavailable", "the tenant directory is unavailable, retry later")
}
