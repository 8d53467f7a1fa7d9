package esbulk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/trolly-logs/trolly/ingest"
)

// Limits bound a bulk request. A zero or negative value means no limit.
type Limits struct {
	// MaxLineBytes bounds a source document; a larger one fails its item.
	MaxLineBytes int
	// MaxRecords bounds the actions of a request; more refuse the request (413).
	MaxRecords int
}

// Op is a bulk action.
type Op uint8

// Bulk actions.
const (
	OpIndex Op = iota + 1
	OpCreate
	OpUpdate
	OpDelete
)

var opNames = [...]string{OpIndex: "index", OpCreate: "create", OpUpdate: "update", OpDelete: "delete"}

// String returns the action's name as it appears in the request and the answer.
func (o Op) String() string {
	if int(o) < len(opNames) && o > 0 {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// Item is one action of the request and its outcome, answered in the same order.
type Item struct {
	Op Op
	// Index is the target index: the action's _index, else the path's.
	Index string
	// ID is the action's _id. The gateway may set it to the event id of the record, which
	// Elasticsearch would have generated; it is left out of the answer when empty.
	ID string
	// Record is the position of the item's record in Request.Records, -1 when it failed.
	Record int
	// Status is the item's HTTP status: 201 once accepted, else the error's.
	Status int
	// Error is why the item failed, nil when it did not.
	Error *ItemError
}

// ItemError is the error of one item, as Elasticsearch reports it.
type ItemError struct {
	Type   string
	Reason string
}

// Fail marks the item failed, e.g. by the gateway when its index maps to no stream (404
// index_not_found_exception) or its stream's queue is full (429
// es_rejected_execution_exception, which shippers retry).
func (it *Item) Fail(status int, typ, reason string) {
	it.Record = -1
	it.Status = status
	it.Error = &ItemError{Type: typ, Reason: reason}
}

// Request is a decoded bulk request.
type Request struct {
	// Records are the accepted source documents (JSON objects, sharing the body's memory).
	Records []ingest.Record
	// Items are all the actions, accepted or not, in request order; an accepted item's
	// Index is the routing hint of its record.
	Items []Item
}

// Decode reads a bulk body. defaultIndex is the {index} of the path, "" for /_bulk. Bad
// items fail on their own; a body that cannot be read as a bulk request is an
// *ingest.Error naming the line: Invalid for a malformed action line or a missing source
// line, TooLarge for more actions than lim.MaxRecords or an action line over
// lim.MaxLineBytes.
func Decode(body []byte, defaultIndex string, lim Limits) (*Request, error) {
	n := bytes.Count(body, []byte{'\n'})/2 + 1
	if lim.MaxRecords > 0 {
		n = min(n, lim.MaxRecords)
	}
	d := decoder{body: body, lim: lim, defaultIndex: defaultIndex}
	req := &Request{
		Records: make([]ingest.Record, 0, n),
		Items:   make([]Item, 0, n),
	}
	for {
		line, ln, ok := d.next()
		if !ok {
			break
		}
		if lim.MaxRecords > 0 && len(req.Items) == lim.MaxRecords {
			return nil, ingest.Errorf(ingest.TooLarge, ln, "more than %d actions in one bulk request: send smaller batches", lim.MaxRecords)
		}
		if lim.MaxLineBytes > 0 && len(line) > lim.MaxLineBytes {
			return nil, ingest.Errorf(ingest.TooLarge, ln, "action line of %d bytes, over the limit of %d bytes", len(line), lim.MaxLineBytes)
		}
		it, err := d.item(line, ln)
		if err != nil {
			return nil, err
		}
		if it.Record >= 0 {
			it.Record = len(req.Records)
			req.Records = append(req.Records, ingest.Record{Data: d.src, JSON: true})
		}
		req.Items = append(req.Items, it)
	}
	if len(req.Items) == 0 {
		return nil, ingest.Errorf(ingest.Invalid, 0, "request body is required: send action and source lines")
	}
	return req, nil
}

type decoder struct {
	body         []byte
	lim          Limits
	defaultIndex string
	line         int
	src          []byte            // the source line of the last accepted item
	names        map[string]string // index names seen, so each is allocated once
}

// next returns the next non-blank line without its CR and its 1-based number.
func (d *decoder) next() ([]byte, int, bool) {
	for len(d.body) > 0 {
		line := d.body
		if i := bytes.IndexByte(d.body, '\n'); i >= 0 {
			line, d.body = d.body[:i], d.body[i+1:]
		} else {
			d.body = nil
		}
		d.line++
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(bytes.TrimSpace(line)) > 0 {
			return line, d.line, true
		}
	}
	return nil, d.line, false
}

// item reads the action on line ln and its source line; a failed item has Record -1.
func (d *decoder) item(line []byte, ln int) (Item, error) {
	a, msg := parseAction(line)
	if msg != "" {
		return Item{}, ingest.Errorf(ingest.Invalid, ln, "malformed action/metadata line [%d], %s", ln, msg)
	}
	it := Item{Op: a.op, Index: d.indexName(a), Status: http.StatusCreated}
	if a.id != nil {
		it.ID = jsonString(a.id, a.idEsc)
	}
	var src []byte
	if a.op != OpDelete {
		var ok bool
		if src, _, ok = d.next(); !ok {
			return Item{}, ingest.Errorf(ingest.Invalid, ln, "the [%s] action on line %d has no source line after it", a.op, ln)
		}
	}
	if a.op == OpUpdate || a.op == OpDelete {
		it.Fail(http.StatusBadRequest, "illegal_argument_exception",
			fmt.Sprintf("the [%s] action is not supported: Trolly stores logs append-only, use [index] or [create]", a.op))
	} else {
		it.check(src, d.lim)
	}
	d.src = src
	return it, nil
}

// check fails an index or create item whose index, id or document Elasticsearch would
// refuse, or whose document is over lim.MaxLineBytes.
func (it *Item) check(src []byte, lim Limits) {
	switch {
	case it.Index == "":
		it.Fail(http.StatusBadRequest, "action_request_validation_exception", "Validation Failed: 1: index is missing;")
	case checkIndex(it.Index) != "":
		it.Fail(http.StatusBadRequest, "invalid_index_name_exception", fmt.Sprintf("Invalid index name [%s], %s", it.Index, checkIndex(it.Index)))
	case len(it.ID) > maxIDBytes:
		it.Fail(http.StatusBadRequest, "action_request_validation_exception",
			fmt.Sprintf("Validation Failed: 1: id is too long, must be no longer than %d bytes but was: %d;", maxIDBytes, len(it.ID)))
	case lim.MaxLineBytes > 0 && len(src) > lim.MaxLineBytes:
		it.Fail(http.StatusBadRequest, "illegal_argument_exception",
			fmt.Sprintf("document of %d bytes is over the limit of %d bytes", len(src), lim.MaxLineBytes))
	default:
		if reason := checkObject(src); reason != "" {
			it.Fail(http.StatusBadRequest, "document_parsing_exception", reason)
		}
	}
}

// maxIDBytes is Elasticsearch's bound on a document id.
const maxIDBytes = 512

// indexName returns the action's index, or the path's, allocating each name once.
func (d *decoder) indexName(a action) string {
	if a.index == nil {
		return d.defaultIndex
	}
	if a.indexEsc {
		return jsonString(a.index, true)
	}
	if s, ok := d.names[string(a.index)]; ok {
		return s
	}
	if d.names == nil {
		d.names = make(map[string]string, 4)
	}
	s := string(a.index)
	d.names[s] = s
	return s
}

// checkObject returns why src is not a JSON object, "" when it is one.
func checkObject(src []byte) string {
	if t := bytes.TrimLeft(src, " \t"); len(t) == 0 || t[0] != '{' {
		return "failed to parse: the document is not a JSON object"
	}
	if json.Valid(src) {
		return ""
	}
	var v struct{}
	if err := json.Unmarshal(src, &v); err != nil {
		return "failed to parse: " + err.Error()
	}
	return "failed to parse: the document is not a JSON object"
}
