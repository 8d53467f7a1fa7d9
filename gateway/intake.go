package gateway

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"

	"github.com/trolly-logs/trolly/ingest"
	"github.com/trolly-logs/trolly/tenant"
)

// StreamHeader names the stream of every record of a request, in any protocol, over the
// protocol's own routing hint.
const StreamHeader = "X-Trolly-Stream"

// protocol is what an HTTP ingest protocol does its own way: carry the ingest key, and
// answer a refused request.
type protocol interface {
	// name labels the protocol's metrics.
	name() string
	// credential returns the ingest key r carries, or the refusal of a request without a
	// usable one.
	credential(r *http.Request) (string, *rejection)
	// refuse answers rej in the protocol's shape.
	refuse(w http.ResponseWriter, r *http.Request, rej *rejection)
}

// intake is one request on the path every protocol shares: its tenant, its budget, its
// body, and its records grouped by stream.
type intake struct {
	g      *Gateway
	proto  protocol
	tenant tenant.Tenant
	lim    *rate.Limiter
	// pinned is the stream StreamHeader named, nil without the header.
	pinned *tenant.Stream
	body   *bytes.Buffer
	// held is the room of max_inflight_bytes the body holds.
	held int64
	// known caches the request's hint lookups; a zero Stream is an unknown hint.
	known   map[string]tenant.Stream
	batches []batch
	// sizeHint is how many records the request holds, for the first batch's room.
	sizeHint int
}

// batch is the records of one stream, published as one raw batch.
type batch struct {
	stream tenant.Stream
	recs   []ingest.Record
	err    *rejection
}

// begin authenticates r, resolves its tenant and the stream StreamHeader names, and checks
// the tenant's budget before anything is read. On false the request has been answered.
func (g *Gateway) begin(w http.ResponseWriter, r *http.Request, p protocol) (*intake, bool) {
	in := &intake{g: g, proto: p}
	pr, rej := g.principalOf(r, p)
	in.tenant.ID = pr.TenantID
	if rej != nil {
		in.fail(w, r, rej)
		return nil, false
	}
	tn, rej := g.tenantOf(r.Context(), pr.TenantID)
	if rej != nil {
		in.fail(w, r, rej)
		return nil, false
	}
	in.tenant = tn
	if name := r.Header.Get(StreamHeader); name != "" {
		st, err := g.dir.Stream(r.Context(), tn.ID, name)
		if err != nil {
			in.fail(w, r, g.fromLookup(err, name))
			return nil, false
		}
		in.pinned = &st
	}
	in.lim = g.limits.get(tn)
	if rej := precheck(in.lim, g.now()); rej != nil {
		in.fail(w, r, rej)
		return nil, false
	}
	return in, true
}

// principalOf returns the principal of the ingest key r carries in p's way.
func (g *Gateway) principalOf(r *http.Request, p protocol) (tenant.Principal, *rejection) {
	secret, rej := p.credential(r)
	if rej != nil {
		return tenant.Principal{}, rej
	}
	return g.principal(r.Context(), secret)
}

// read reads the body; on false the request has been answered. close hands it back.
func (in *intake) read(w http.ResponseWriter, r *http.Request) bool {
	body, held, rej := in.g.readBody(w, r)
	if rej != nil {
		in.fail(w, r, rej)
		return false
	}
	in.body, in.held = body, held
	return true
}

// close gives the body's room back, once the records that refer to it are published.
func (in *intake) close() {
	if in.body != nil {
		in.g.release(in.held)
		in.body, in.held = nil, 0
	}
}

// maxLine is the tighter of the listener's and the tenant's bound on one record.
func (in *intake) maxLine() int {
	return int(min(int64(in.g.cfg.MaxLineBytes), in.tenant.Limits.MaxLineBytes))
}

// stream returns the tenant's stream a record with hint goes to: the pinned one, else the
// one hint names. found is false when hint names none of the tenant's streams (or is
// empty); the tenant comes from the credential, so no hint reaches another tenant.
func (in *intake) stream(ctx context.Context, hint string) (st tenant.Stream, found bool, rej *rejection) {
	if in.pinned != nil {
		return *in.pinned, true, nil
	}
	if hint == "" {
		return tenant.Stream{}, false, nil
	}
	if st, ok := in.known[hint]; ok {
		return st, st.Name != "", nil
	}
	st, err := in.g.dir.Stream(ctx, in.tenant.ID, hint)
	if err != nil && !errors.Is(err, tenant.ErrNotFound) {
		return tenant.Stream{}, false, in.g.fromLookup(err, hint)
	}
	if in.known == nil {
		in.known = make(map[string]tenant.Stream, 2)
	}
	in.known[hint] = st // zero when not found
	return st, err == nil, nil
}

// add queues recs for st, returning the number of st's batch. A new batch aliases recs,
// or, when it is the first and sizeHint says more records will come, gets room for them.
func (in *intake) add(st tenant.Stream, recs []ingest.Record) int {
	for i := range in.batches {
		if in.batches[i].stream.Name == st.Name {
			in.batches[i].recs = append(in.batches[i].recs, recs...)
			return i
		}
	}
	b := batch{stream: st, recs: recs[:len(recs):len(recs)]}
	if len(in.batches) == 0 && in.sizeHint > len(recs) {
		b.recs = append(make([]ingest.Record, 0, in.sizeHint), recs...)
	}
	in.batches = append(in.batches, b)
	return len(in.batches) - 1
}

// records counts the records queued.
func (in *intake) records() int {
	n := 0
	for _, b := range in.batches {
		n += len(b.recs)
	}
	return n
}

// deliver spends the budget and publishes every batch, stopping at the first the queue
// refuses: the shipper will send the whole request again, and each batch published before
// it would then be stored twice.
func (in *intake) deliver(r *http.Request) *rejection {
	if rej := in.spend(); rej != nil {
		return rej
	}
	return in.publish(r, false)
}

// spend takes the body's bytes from the tenant's budget, or refuses the request whole.
// Nothing is spent when no record is left to publish.
func (in *intake) spend() *rejection {
	if in.records() == 0 {
		return nil
	}
	return take(in.lim, in.g.now(), in.body.Len())
}

// publish publishes one raw batch per stream, counting what the queue confirmed, and
// returns the first refusal; each batch holds its own. alone goes on after a refusal, for
// protocols that answer each record (Elasticsearch's items).
func (in *intake) publish(r *http.Request, alone bool) *rejection {
	var first *rejection
	sent := 0
	for i := range in.batches {
		b := &in.batches[i]
		if first != nil && !alone {
			b.err = first
			continue
		}
		if b.err = in.g.publish(r.Context(), ownerOf(in.tenant), b.stream, "http", r.RemoteAddr, b.recs); b.err != nil {
			if first == nil {
				first = b.err
			}
			continue
		}
		sent += len(b.recs)
	}
	if sent > 0 {
		name := in.proto.name()
		in.g.metrics.records.WithLabelValues(in.tenant.ID, name).Add(float64(sent))
		in.g.metrics.bytes.WithLabelValues(in.tenant.ID, name).Add(float64(in.body.Len()))
	}
	return first
}

// drop counts n records refused one by one, the rest of their request going on.
func (in *intake) drop(n int, reason string) {
	if n > 0 {
		in.g.metrics.droppedRecords.WithLabelValues(in.tenant.ID, in.proto.name(), reason).Add(float64(n))
	}
}

// fail answers a refused request in the protocol's shape and counts it.
func (in *intake) fail(w http.ResponseWriter, r *http.Request, rej *rejection) {
	in.g.metrics.rejected.WithLabelValues(in.tenant.ID, in.proto.name(), rej.code).Inc()
	in.proto.refuse(w, r, rej)
}

// noStream is the refusal of records whose hint names no stream; what says which hint
// the protocol reads.
func noStream(hint, what string) *rejection {
	if hint == "" {
		return reject(http.StatusBadRequest, "no_stream",
			"no stream given: set %s to one of the tenant's streams, or send the %s header", what, StreamHeader)
	}
	return reject(http.StatusNotFound, "not_found",
		"stream %q not found: set %s to one of the tenant's streams, or send the %s header", hint, what, StreamHeader)
}

// retrySeconds is a Retry-After value: d in whole seconds, rounded up.
func retrySeconds(d time.Duration) string {
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}
