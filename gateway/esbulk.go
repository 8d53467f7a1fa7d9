package gateway

import (
	"net/http"

	"github.com/trolly-logs/trolly/ingest/esbulk"
)

// routeES serves the Elasticsearch API at the root of the listener, where shippers append
// /_bulk to the URL they are given. Every path no other route takes is answered as
// Elasticsearch would: a probe, or its 400 for an unknown handler.
func (g *Gateway) routeES(mux *http.ServeMux) {
	bulk := g.instrument("esbulk", g.handleESBulk)
	for _, m := range []string{http.MethodPost, http.MethodPut} {
		mux.Handle(m+" /_bulk", bulk)
		mux.Handle(m+" /{index}/_bulk", bulk)
	}
	g.routeESDoc(mux)
	mux.Handle("/", g.instrument("esbulk", g.handleESProbe))
}

// esProto speaks Elasticsearch: ApiKey, Basic or Bearer credentials, and its error shape.
type esProto struct{}

func (esProto) name() string { return "esbulk" }

func (esProto) credential(r *http.Request) (string, *rejection) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", reject(http.StatusUnauthorized, "unauthenticated",
			"missing authentication credentials for REST request [%s]: send the ingest key as an API key", r.URL.Path)
	}
	secret, ok := esbulk.Credential(h)
	if !ok {
		return "", reject(http.StatusUnauthorized, "unauthenticated",
			"unsupported Authorization: send the ingest key as ApiKey, as the password of Basic, or as Bearer")
	}
	return secret, nil
}

func (esProto) refuse(w http.ResponseWriter, _ *http.Request, rej *rejection) {
	esResponse(rej).Write(w)
}

// esResponse is rej in Elasticsearch's words.
func esResponse(rej *rejection) esbulk.Response {
	switch rej.code {
	case "unauthenticated":
		return esbulk.Unauthorized(rej.msg)
	case "forbidden":
		return esbulk.Forbidden(rej.msg)
	case "rate_limited", reasonTenantBacklog:
		return esbulk.TooManyRequests(rej.msg, rej.retryAfter)
	case "not_found", "no_stream":
		return esbulk.ErrorResponse(http.StatusNotFound, "index_not_found_exception", rej.msg)
	}
	if rej.cause != nil {
		return esbulk.FromError(rej.cause)
	}
	resp := esbulk.ErrorResponse(rej.status, esErrorType(rej.status), rej.msg)
	if rej.retryAfter > 0 {
		resp.Header = http.Header{"Retry-After": {retrySeconds(rej.retryAfter)}}
	}
	return resp
}

func esErrorType(status int) string {
	switch {
	case status == http.StatusServiceUnavailable:
		return "unavailable_shards_exception"
	case status >= 500:
		return "exception"
	}
	return "illegal_argument_exception"
}

// handleESBulk serves POST and PUT /_bulk and /{index}/_bulk. Items fail one by one, as in
// Elasticsearch: an index that names none of the tenant's streams (404
// index_not_found_exception), or a stream whose queue is full (429, which shippers retry
// for that item alone).
func (g *Gateway) handleESBulk(w http.ResponseWriter, r *http.Request) {
	start := g.now()
	in, ok := g.begin(w, r, esProto{})
	if !ok {
		return
	}
	defer in.close()
	if !in.read(w, r) {
		return
	}
	index := r.PathValue("index")
	if index == "" && in.pinned != nil {
		index = in.pinned.Name // actions without _index are then welcome
	}
	req, err := esbulk.Decode(in.body.Bytes(), index, esbulk.Limits{MaxLineBytes: in.maxLine(), MaxRecords: g.cfg.MaxRecords})
	if err != nil {
		in.fail(w, r, fromIngest(err))
		return
	}
	batchOf, rej := in.routeItems(r, req)
	if rej != nil {
		in.fail(w, r, rej)
		return
	}
	if rej := in.spend(); rej != nil {
		in.fail(w, r, rej)
		return
	}
	_ = in.publish(r, true) // each item answers for its own batch
	for i, b := range batchOf {
		if b >= 0 && in.batches[b].err != nil {
			failItem(&req.Items[i], in.batches[b].err)
			in.drop(1, in.batches[b].err.code)
		}
	}
	req.Response(g.now().Sub(start)).Write(w)
}

// routeItems queues the record of each accepted item for its index's stream, failing the
// items whose index is none of the tenant's streams. It returns the batch of each item, -1
// for a failed one.
func (in *intake) routeItems(r *http.Request, req *esbulk.Request) ([]int, *rejection) {
	batchOf := make([]int, len(req.Items))
	in.sizeHint = len(req.Records)
	for i := range req.Items {
		it := &req.Items[i]
		batchOf[i] = -1
		if it.Record < 0 {
			in.drop(1, "invalid")
			continue
		}
		st, found, rej := in.stream(r.Context(), it.Index)
		if rej != nil {
			return nil, rej
		}
		if !found {
			it.Fail(http.StatusNotFound, "index_not_found_exception",
				"no such index ["+it.Index+"]: the index must name one of the tenant's streams, or send the "+StreamHeader+" header")
			in.drop(1, "not_found")
			continue
		}
		batchOf[i] = in.add(st, req.Records[it.Record:it.Record+1])
	}
	return batchOf, nil
}

// failItem fails an item whose batch the queue refused: 429 when the queue is full or
// down, or the tenant's backlog is, which shippers retry for the item alone.
func failItem(it *esbulk.Item, rej *rejection) {
	if rej.status == http.StatusServiceUnavailable || rej.status == http.StatusTooManyRequests {
		it.Fail(http.StatusTooManyRequests, "es_rejected_execution_exception", rej.msg)
		return
	}
	it.Fail(rej.status, esErrorType(rej.status), rej.msg)
}

// handleESProbe answers what Elasticsearch shippers ask besides _bulk. Credentials are
// checked when sent, so that a shipper with a bad key learns it at its connection check, as
// from Elasticsearch; without any, the probes still answer: they say nothing of any tenant,
// and load balancers and people with curl ask GET / too.
func (g *Gateway) handleESProbe(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		in := &intake{g: g, proto: esProto{}}
		if pr, rej := g.principalOf(r, in.proto); rej != nil {
			in.tenant.ID = pr.TenantID
			in.fail(w, r, rej)
			return
		}
	}
	resp, ok := esbulk.Probe(r.Method, r.URL.Path, esbulk.Cluster{})
	if !ok {
		resp = esbulk.NoHandler(r.Method, r.URL.Path)
	}
	resp.Write(w)
}
