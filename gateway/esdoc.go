package gateway

import (
	"net/http"

	"github.com/oklog/ulid/v2"

	"github.com/trolly-logs/trolly/ingest/esbulk"
)

// routeESDoc serves Elasticsearch's single-document APIs, which some clients and
// logging libraries use instead of _bulk.
func (g *Gateway) routeESDoc(mux *http.ServeMux) {
	mux.Handle("POST /{index}/_doc", g.instrument("esbulk", g.handleESDoc(esbulk.OpIndex)))
	for _, m := range []string{http.MethodPost, http.MethodPut} {
		mux.Handle(m+" /{index}/_doc/{id}", g.instrument("esbulk", g.handleESDoc(esbulk.OpIndex)))
		mux.Handle(m+" /{index}/_create/{id}", g.instrument("esbulk", g.handleESDoc(esbulk.OpCreate)))
	}
}

// handleESDoc stores one document as a _bulk item of op to the path's index would be: same
// key, limits and stream (the index, or the StreamHeader), answered 201 as Elasticsearch
// answers a created document, or with the error alone. Without an id in the path, the
// answer's _id is a new ULID, as Elasticsearch makes one up; Trolly's event.id is its own.
func (g *Gateway) handleESDoc(op esbulk.Op) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, ok := g.begin(w, r, esProto{})
		if !ok {
			return
		}
		defer in.close()
		if !in.read(w, r) {
			return
		}
		req, err := esbulk.DecodeDoc(in.body.Bytes(), op, r.PathValue("index"), r.PathValue("id"), esbulk.Limits{MaxLineBytes: in.maxLine()})
		if err != nil {
			in.fail(w, r, fromIngest(err))
			return
		}
		if _, rej := in.routeItems(r, req); rej != nil {
			in.fail(w, r, rej)
			return
		}
		if it := &req.Items[0]; it.ID == "" {
			it.ID = ulid.Make().String()
		}
		if rej := in.deliver(r); rej != nil {
			in.fail(w, r, rej)
			return
		}
		req.DocResponse().Write(w)
	}
}
