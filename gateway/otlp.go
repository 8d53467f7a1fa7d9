package gateway

import (
	"net/http"

	"github.com/trolly-logs/trolly/ingest/otlp"
	"github.com/trolly-logs/trolly/tenant"
)

// otlpProto speaks OTLP/HTTP: a Bearer key (the collector's headers: {Authorization:
// "Bearer <key>"}), and errors as a google.rpc.Status in the request's encoding.
type otlpProto struct{}

func (otlpProto) name() string { return "otlp" }

func (otlpProto) credential(r *http.Request) (string, *rejection) {
	if secret, ok := tenant.BearerToken(r.Header.Get("Authorization")); ok {
		return secret, nil
	}
	return "", reject(http.StatusUnauthorized, "unauthenticated", "send the ingest key as Authorization: Bearer <key>")
}

func (otlpProto) refuse(w http.ResponseWriter, r *http.Request, rej *rejection) {
	enc, ok := otlp.EncodingOf(r.Header.Get("Content-Type"))
	if !ok {
		enc = otlp.JSON // a client that sent neither reads text best
	}
	msg := rej.msg
	if rej.cause != nil {
		msg = rej.cause.Error()
	}
	if rej.retryAfter > 0 {
		w.Header().Set("Retry-After", retrySeconds(rej.retryAfter))
	}
	w.Header().Set("Content-Type", enc.ContentType())
	w.WriteHeader(rej.status)
	_, _ = w.Write(otlp.ErrorResponse(enc, rej.status, msg)) // the client may be gone
}

// handleOTLP serves POST /v1/logs. Records whose service.name names none of the tenant's
// streams are refused in the answer's partial_success, the others stored; a request none
// of whose records has a stream is refused whole (400 or 404, not retried).
func (g *Gateway) handleOTLP(w http.ResponseWriter, r *http.Request) {
	in, ok := g.begin(w, r, otlpProto{})
	if !ok {
		return
	}
	defer in.close()
	enc, ok := otlp.EncodingOf(r.Header.Get("Content-Type"))
	if !ok {
		in.fail(w, r, reject(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"Content-Type %q is not accepted: send application/x-protobuf or application/json", r.Header.Get("Content-Type")))
		return
	}
	if !in.read(w, r) {
		return
	}
	req, err := otlp.Decode(in.body.Bytes(), enc, otlp.Limits{MaxLineBytes: in.maxLine(), MaxRecords: g.cfg.MaxRecords})
	if err != nil {
		in.fail(w, r, fromIngest(err))
		return
	}
	in.drop(int(req.Rejected), "invalid")
	var why *rejection
	var unrouted int64
	in.sizeHint = len(req.Records)
	for i := range req.Records {
		st, found, rej := in.stream(r.Context(), req.Services[i])
		if rej != nil {
			in.fail(w, r, rej)
			return
		}
		if !found {
			if why == nil {
				why = noStream(req.Services[i], "the resource attribute service.name")
			}
			unrouted++
			continue
		}
		in.add(st, req.Records[i:i+1])
	}
	if why != nil {
		in.drop(int(unrouted), why.code)
		if in.records() == 0 {
			in.fail(w, r, why)
			return
		}
		if req.Rejected == 0 {
			req.RejectMessage = why.msg
		}
		req.Rejected += unrouted
	}
	if rej := in.deliver(r); rej != nil {
		in.fail(w, r, rej)
		return
	}
	w.Header().Set("Content-Type", enc.ContentType())
	_, _ = w.Write(req.Response(enc)) // the client may be gone
}
