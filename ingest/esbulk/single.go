package esbulk

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/trolly-logs/trolly/ingest"
)

// DecodeDoc reads the body of a single-document request: PUT or POST /{index}/_doc/{id},
// POST /{index}/_doc (id ""), PUT or POST /{index}/_create/{id} (op OpCreate). The request
// has one item, failed as the same document would fail in a bulk request; its record is the
// document, compacted to one line when it spans several. An empty body is an Invalid
// *ingest.Error, a document over lim.MaxLineBytes a TooLarge one.
func DecodeDoc(body []byte, op Op, index, id string, lim Limits) (*Request, error) {
	src := bytes.TrimSpace(body)
	if len(src) == 0 {
		return nil, ingest.Errorf(ingest.Invalid, 0, "request body is required: send the document as a JSON object")
	}
	if lim.MaxLineBytes > 0 && len(src) > lim.MaxLineBytes {
		return nil, ingest.Errorf(ingest.TooLarge, 0, "document of %d bytes is over the limit of %d bytes", len(src), lim.MaxLineBytes)
	}
	if bytes.ContainsAny(src, "\r\n") {
		// A pretty-printed document; a record is one line, as in _bulk.
		var buf bytes.Buffer
		if json.Compact(&buf, src) == nil {
			src = buf.Bytes()
		}
	}
	it := Item{Op: op, Index: index, ID: id, Status: http.StatusCreated}
	it.check(src, Limits{})
	req := &Request{Items: []Item{it}}
	if it.Error == nil {
		req.Records = []ingest.Record{{Data: src, JSON: true}}
	}
	return req, nil
}

// DocResponse is the answer to a single-document request: 201 with the document's index,
// id and result, and its Location, or the item's error alone in Elasticsearch's error shape.
func (r *Request) DocResponse() Response {
	it := &r.Items[0]
	if it.Error != nil {
		return ErrorResponse(it.Status, it.Error.Type, it.Error.Reason)
	}
	b := make([]byte, 0, 192+len(it.Index)+len(it.ID))
	b = append(b, `{"_index":`...)
	b = appendString(b, it.Index)
	b = append(b, `,"_id":`...)
	b = appendString(b, it.ID)
	b = appendCreated(b)
	b = append(b, `,"_seq_no":0,"_primary_term":1}`...)
	loc := "/" + url.PathEscape(it.Index) + "/_doc/" + url.PathEscape(it.ID)
	return Response{Status: http.StatusCreated, Header: http.Header{"Location": {loc}}, Body: b}
}

// appendCreated appends the fields of a document's result once it is accepted.
func appendCreated(dst []byte) []byte {
	return append(dst, `,"_version":1,"result":"created","_shards":{"total":1,"successful":1,"failed":0}`...)
}
