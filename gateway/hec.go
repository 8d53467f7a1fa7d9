package gateway

import (
	"cmp"
	"errors"
	"net/http"

	"github.com/trolly-logs/trolly/ingest"
	"github.com/trolly-logs/trolly/ingest/hec"
)

// routeHEC serves Splunk's HTTP Event Collector; the "/1.0" paths are Splunk's aliases.
func (g *Gateway) routeHEC(mux *http.ServeMux) {
	events := g.instrument("hec", g.handleHEC(hec.DecodeEvents, false))
	raw := g.instrument("hec", g.handleHEC(hec.DecodeRaw, true))
	for _, p := range []string{"/services/collector", "/services/collector/event", "/services/collector/event/1.0"} {
		mux.Handle("POST "+p, events)
	}
	for _, p := range []string{"/services/collector/raw", "/services/collector/raw/1.0"} {
		mux.Handle("POST "+p, raw)
	}
	health := g.instrument("hec", g.handleHECHealth)
	for _, p := range []string{"/services/collector/health", "/services/collector/health/1.0"} {
		mux.Handle("GET "+p, health)
	}
	// Trolly answers only once records are durable: there is nothing to acknowledge later.
	mux.Handle("POST /services/collector/ack", g.instrument("hec", func(w http.ResponseWriter, _ *http.Request) {
		hec.ReplyOf(hec.AckDisabled).Write(w, 0)
	}))
}

// hecProto speaks HEC: "Authorization: Splunk <key>" (or Basic with the key as password;
// never ?token=, which would leave keys in access logs), and {"text","code"} answers.
type hecProto struct{}

func (hecProto) name() string { return "hec" }

func (hecProto) credential(r *http.Request) (string, *rejection) {
	tok, code := hec.Token(r.Header, r.URL.Query())
	if code != hec.Success {
		return "", reject(code.Status(), "unauthenticated", "%s: send the ingest key as Authorization: Splunk <key>", code.Text())
	}
	return tok, nil
}

func (hecProto) refuse(w http.ResponseWriter, r *http.Request, rej *rejection) {
	hecReply(r, rej).Write(w, rej.retryAfter)
}

// hecReply is rej in HEC's codes. Token and index refusals keep HEC's own statuses; the
// limits keep theirs (429, 413), which HEC has no codes for.
func hecReply(r *http.Request, rej *rejection) hec.Reply {
	if rej.cause != nil {
		return hec.ReplyFor(rej.cause)
	}
	code, status := hec.InternalError, rej.status
	switch rej.code {
	case "unauthenticated":
		code = hec.InvalidToken // a well-formed key that is not known
		if _, c := hec.Token(r.Header, r.URL.Query()); c != hec.Success {
			code = c
		}
		status = code.Status()
	case "forbidden":
		code, status = hec.InvalidToken, hec.InvalidToken.Status()
	case "not_found", "no_stream":
		code, status = hec.IncorrectIndex, hec.IncorrectIndex.Status()
	case "rate_limited", "unavailable", "overloaded", reasonBacklog, reasonTenantBacklog:
		code = hec.ServerBusy
	case "too_large", "invalid_body", "unsupported_media_type":
		code = hec.InvalidDataFormat
	}
	rep := hec.ReplyOf(code)
	rep.Status, rep.Detail = status, rej.msg
	return rep
}

type hecDecoder func(body []byte, p hec.Params, lim hec.Limits) (*hec.Request, error)

// handleHEC serves the event and raw endpoints. As Splunk does, the events before the
// first bad one (malformed, or whose index names none of the tenant's streams) are stored
// and the answer is about the bad one.
func (g *Gateway) handleHEC(decode hecDecoder, raw bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, ok := g.begin(w, r, hecProto{})
		if !ok {
			return
		}
		defer in.close()
		if !in.read(w, r) {
			return
		}
		req, err := decode(in.body.Bytes(), hec.ParseParams(r.Header, r.URL.Query()), hec.Limits{MaxLineBytes: in.maxLine(), MaxRecords: g.cfg.MaxRecords})
		var ie *ingest.Error
		if err != nil && (req == nil || !errors.As(err, &ie) || ie.Kind != ingest.Invalid) {
			in.fail(w, r, fromIngest(err)) // over a limit: nothing is stored
			return
		}
		var stop *rejection
		if err != nil {
			stop = fromIngest(err)
		}
		in.sizeHint = len(req.Records)
		for i, h := range req.Hints[:len(req.Records)] {
			hint := cmp.Or(h.Index, h.Sourcetype)
			st, found, rej := in.stream(r.Context(), hint)
			if rej != nil {
				in.fail(w, r, rej)
				return
			}
			if !found {
				stop = hecIncorrectIndex(hint, i, raw)
				break
			}
			in.add(st, req.Records[i:i+1])
		}
		if rej := in.deliver(r); rej != nil {
			in.fail(w, r, rej)
			return
		}
		if stop != nil {
			in.fail(w, r, stop)
			return
		}
		hec.ReplyOf(hec.Success).Write(w, 0)
	}
}

// hecIncorrectIndex refuses event n (a raw request has no event numbers), whose index and
// sourcetype name none of the tenant's streams.
func hecIncorrectIndex(hint string, n int, raw bool) *rejection {
	rej := noStream(hint, "the index (or the sourcetype)")
	if raw {
		n = -1
	}
	rej.cause = &hec.Error{Code: hec.IncorrectIndex, Event: n, Err: ingest.Errorf(ingest.Invalid, 0, "%s", rej.msg)}
	return rej
}

// handleHECHealth answers HEC's health check, without a key, as Splunk does.
func (g *Gateway) handleHECHealth(w http.ResponseWriter, _ *http.Request) {
	if g.health.Ready() {
		hec.ReplyOf(hec.Healthy).Write(w, 0)
		return
	}
	hec.ReplyOf(hec.Unhealthy).Write(w, 0)
}
