package gateway

import (
	"context"
	"errors"
	"net/http"

	"github.com/trolly-logs/trolly/internal/httpx"
	"github.com/trolly-logs/trolly/tenant"
)

// handleNative serves POST /ingest/v1/streams/{stream}: text lines or NDJSON, optionally
// gzip, with an ingest key, on the path every protocol shares.
func (g *Gateway) handleNative(w http.ResponseWriter, r *http.Request) {
	in, ok := g.begin(w, r, nativeProto{})
	if !ok {
		return
	}
	defer in.close()
	name := r.PathValue("stream")
	if in.pinned != nil && in.pinned.Name != name {
		in.fail(w, r, reject(http.StatusBadRequest, "invalid_stream",
			"the path names stream %q and the %s header %q: send one", name, StreamHeader, in.pinned.Name))
		return
	}
	st, found, rej := in.stream(r.Context(), name)
	if rej == nil && !found {
		rej = reject(http.StatusNotFound, "not_found", "stream %q not found", name)
	}
	if rej != nil {
		in.fail(w, r, rej)
		return
	}
	decode, rej := nativeDecoder(r.Header.Get("Content-Type"))
	if rej != nil {
		in.fail(w, r, rej)
		return
	}
	if !in.read(w, r) {
		return
	}
	recs, err := decode(in.body.Bytes(), in.maxLine())
	if err != nil {
		in.fail(w, r, fromIngest(err))
		return
	}
	in.add(st, recs)
	if rej := in.deliver(r); rej != nil {
		in.fail(w, r, rej)
		return
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]int{"accepted": len(recs)})
}

// nativeProto is Trolly's own protocol: "Authorization: Bearer <key>", and errors in the
// JSON shape of the API.
type nativeProto struct{}

func (nativeProto) name() string { return "native" }

func (nativeProto) credential(r *http.Request) (string, *rejection) {
	secret, ok := tenant.BearerToken(r.Header.Get("Authorization"))
	if !ok {
		return "", reject(http.StatusUnauthorized, "unauthenticated", "send an ingest key as Authorization: Bearer <key>")
	}
	return secret, nil
}

func (nativeProto) refuse(w http.ResponseWriter, _ *http.Request, rej *rejection) {
	if rej.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="trolly"`)
	}
	httpx.WriteError(w, rej.status, httpx.Error{Code: rej.code, Message: rej.msg, Line: rej.line}, rej.retryAfter)
}

func (g *Gateway) principal(ctx context.Context, secret string) (tenant.Principal, *rejection) {
	p, err := g.dir.Authenticate(ctx, secret)
	switch {
	case errors.Is(err, tenant.ErrUnauthenticated):
		return tenant.Principal{}, reject(http.StatusUnauthorized, "unauthenticated", "invalid API key")
	case err != nil:
		g.log.Error("authenticate", "err", err)
		return tenant.Principal{}, unavailable()
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
	return unavailable()
}

func unavailable() *rejection {
	return reject(http.StatusServiceUnavailable, "unavailable", "the tenant directory is unavailable, retry later")
}

// tenantOf returns the tenant a credential stands for. One deleted since the credential
// was read is refused as an unknown credential would be.
func (g *Gateway) tenantOf(ctx context.Context, id string) (tenant.Tenant, *rejection) {
	tn, err := g.dir.Tenant(ctx, id)
	switch {
	case errors.Is(err, tenant.ErrNotFound):
		return tn, reject(http.StatusUnauthorized, "unauthenticated", "invalid credentials: tenant %q is gone", id)
	case err != nil:
		g.log.Error("look up tenant", "tenant", id, "err", err)
		return tn, unavailable()
	}
	return tn, nil
}
