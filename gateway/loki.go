package gateway

import (
	"fmt"
	"net/http"

	"github.com/trolly-logs/trolly/ingest/loki"
	"github.com/trolly-logs/trolly/tenant"
)

// lokiProto speaks the Loki push API: Bearer or Basic credentials (Promtail and Grafana
// Agent send bearer_token or basic_auth; the password is the key, the user name and
// X-Scope-OrgID are not used), and plain-text errors, where the status is what clients read.
type lokiProto struct{}

func (lokiProto) name() string { return "loki" }

func (lokiProto) credential(r *http.Request) (string, *rejection) {
	if secret, ok := tenant.BearerToken(r.Header.Get("Authorization")); ok {
		return secret, nil
	}
	if _, pass, ok := r.BasicAuth(); ok && pass != "" {
		return pass, nil
	}
	return "", reject(http.StatusUnauthorized, "unauthenticated",
		"send the ingest key as Authorization: Bearer <key>, or as the password of basic auth")
}

func (lokiProto) refuse(w http.ResponseWriter, _ *http.Request, rej *rejection) {
	if rej.retryAfter > 0 {
		w.Header().Set("Retry-After", retrySeconds(rej.retryAfter))
	}
	if rej.cause != nil {
		loki.WriteError(w, rej.cause)
		return
	}
	http.Error(w, rej.msg, rej.status)
}

// lokiHint is the label that names a push stream's Trolly stream: stream, else job.
func lokiHint(s *loki.Stream) string {
	if v, ok := s.Label("stream"); ok && v != "" {
		return v
	}
	v, _ := s.Label("job")
	return v
}

// handleLoki serves POST /loki/api/v1/push. As Loki does with lines it discards, entries
// of a push stream that names none of the tenant's streams are dropped, the others stored,
// and the answer is 400 with the reason (clients do not send a 400 again).
func (g *Gateway) handleLoki(w http.ResponseWriter, r *http.Request) {
	in, ok := g.begin(w, r, lokiProto{})
	if !ok {
		return
	}
	defer in.close()
	if !in.read(w, r) {
		return
	}
	req, err := loki.Decode(r.Header.Get("Content-Type"), in.body.Bytes(), loki.Limits{
		MaxLineBytes: in.maxLine(), MaxRecords: g.cfg.MaxRecords, MaxBodyBytes: int(g.cfg.MaxBodyBytes),
	})
	if err != nil {
		in.fail(w, r, fromIngest(err))
		return
	}
	in.drop(req.Discarded, "too_large")
	var unrouted int
	var why *rejection
	for i := range req.Streams {
		s := &req.Streams[i]
		hint := lokiHint(s)
		st, found, rej := in.stream(r.Context(), hint)
		if rej != nil {
			in.fail(w, r, rej)
			return
		}
		if !found {
			unrouted += len(s.Records)
			if why == nil {
				why = noStream(hint, "the label stream (or job)")
			}
			continue
		}
		in.add(st, s.Records)
	}
	if why != nil {
		in.drop(unrouted, why.code)
		if in.records() == 0 {
			in.fail(w, r, why)
			return
		}
	}
	if rej := in.deliver(r); rej != nil {
		in.fail(w, r, rej)
		return
	}
	switch {
	case why != nil:
		http.Error(w, fmt.Sprintf("%s (%d entries dropped, the others stored)", why.msg, unrouted+req.Discarded), http.StatusBadRequest)
	case req.Discarded > 0:
		loki.WriteDiscarded(w, req)
	default:
		loki.WriteSuccess(w)
	}
}
