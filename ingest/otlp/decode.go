package otlp

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/trolly-logs/trolly/ingest"
)

// Encoding is the wire form of a request and of its answer.
type Encoding int

// Encodings of OTLP/HTTP.
const (
	// Protobuf is the binary protobuf encoding, application/x-protobuf.
	Protobuf Encoding = iota + 1
	// JSON is OTLP's JSON mapping of the protobuf messages, application/json.
	JSON
)

// EncodingOf returns the encoding a Content-Type names; false when OTLP/HTTP has none such,
// which the gateway answers with 415.
func EncodingOf(contentType string) (Encoding, bool) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return 0, false
	}
	switch mt {
	case "application/x-protobuf", "application/protobuf":
		return Protobuf, true
	case "application/json":
		return JSON, true
	}
	return 0, false
}

// ContentType is the Content-Type of answers in e.
func (e Encoding) ContentType() string {
	if e == JSON {
		return "application/json"
	}
	return "application/x-protobuf"
}

// Limits bound a request. Zero means no limit.
type Limits struct {
	// MaxLineBytes bounds each record's Data; a record over it is refused alone.
	MaxLineBytes int
	// MaxRecords bounds the log records of a request; a request over it is refused whole.
	MaxRecords int
}

// Request is a decoded ExportLogsServiceRequest.
type Request struct {
	// Records are the accepted log records, in request order.
	Records []ingest.Record
	// Services is the routing hint: Services[i] is the service.name of Records[i]'s
	// resource, "" when it has none.
	Services []string
	// Rejected counts the log records refused one by one (over MaxLineBytes, or with a
	// malformed trace or span id); RejectMessage says why the first was. Both go back to
	// the client in the response's partial_success.
	Rejected      int64
	RejectMessage string
}

// Decode decodes body, an ExportLogsServiceRequest in enc. Errors are *ingest.Error: Invalid
// when body cannot be decoded, TooLarge when it holds more than lim.MaxRecords log records.
func Decode(body []byte, enc Encoding, lim Limits) (*Request, error) {
	// Count first, so that a request over the limit is refused before it costs memory.
	var n int
	switch enc {
	case Protobuf:
		n = countPB(body, lim.MaxRecords)
	case JSON:
		if !json.Valid(body) {
			n = 0 // protojson says where the syntax breaks
		} else {
			n = countJSON(body, lim.MaxRecords)
		}
	}
	if lim.MaxRecords > 0 && n > lim.MaxRecords {
		return nil, ingest.Errorf(ingest.TooLarge, 0, "more than %d log records, over the limit of %d per request: send smaller batches", lim.MaxRecords, lim.MaxRecords)
	}
	var msg collogspb.ExportLogsServiceRequest
	switch enc {
	case Protobuf:
		if err := proto.Unmarshal(body, &msg); err != nil {
			return nil, ingest.Errorf(ingest.Invalid, 0, "decode protobuf ExportLogsServiceRequest: %v", err)
		}
	case JSON:
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(body, &msg); err != nil {
			return nil, ingest.Errorf(ingest.Invalid, 0, "decode JSON ExportLogsServiceRequest: %v", err)
		}
	default:
		return nil, ingest.Errorf(ingest.Invalid, 0, "unknown encoding %d", enc)
	}
	n, size := count(&msg)
	if lim.MaxRecords > 0 && n > lim.MaxRecords { // the count above missed some: never, but cheap to keep
		return nil, ingest.Errorf(ingest.TooLarge, 0, "%d log records, over the limit of %d per request", n, lim.MaxRecords)
	}
	d := decoder{
		lim:   lim,
		json:  enc == JSON,
		arena: make([]byte, 0, size),
		req:   &Request{Records: make([]ingest.Record, 0, n), Services: make([]string, 0, n)},
	}
	d.request(&msg)
	return d.req, nil
}

// count returns the number of log records and the bytes of their string bodies, so that
// the bodies can share one allocation.
func count(msg *collogspb.ExportLogsServiceRequest) (n, size int) {
	for _, rl := range msg.GetResourceLogs() {
		for _, sl := range rl.GetScopeLogs() {
			n += len(sl.GetLogRecords())
			for _, lr := range sl.GetLogRecords() {
				size += len(lr.GetBody().GetStringValue())
			}
		}
	}
	return n, size
}

// decoder turns the messages of one request into records.
type decoder struct {
	lim   Limits
	json  bool
	arena []byte // holds every body's bytes; records slice it
	req   *Request
}

func (d *decoder) request(msg *collogspb.ExportLogsServiceRequest) {
	for i, rl := range msg.GetResourceLogs() {
		base, service := resourceFields(rl.GetResource().GetAttributes())
		for j, sl := range rl.GetScopeLogs() {
			scoped := base
			if name := sl.GetScope().GetName(); name != "" {
				scoped = cloneWith(base, 1)
				scoped["log.logger"] = name
			}
			for k, lr := range sl.GetLogRecords() {
				if err := d.record(lr, scoped, service); err != "" {
					d.reject(fmt.Sprintf("resource_logs[%d].scope_logs[%d].log_records[%d]: %s", i, j, k, err))
				}
			}
		}
	}
}

func (d *decoder) reject(msg string) {
	if d.req.Rejected == 0 {
		d.req.RejectMessage = msg
	}
	d.req.Rejected++
}

// record adds the record of lr, or returns why it is refused.
func (d *decoder) record(lr *logspb.LogRecord, base map[string]string, service string) string {
	traceID, err := d.id(lr.GetTraceId(), 16)
	if err != "" {
		return "trace id: " + err
	}
	spanID, err := d.id(lr.GetSpanId(), 8)
	if err != "" {
		return "span id: " + err
	}
	mark := len(d.arena)
	data, isJSON := d.body(lr.GetBody())
	if d.lim.MaxLineBytes > 0 && len(data) > d.lim.MaxLineBytes {
		d.arena = d.arena[:mark]
		return fmt.Sprintf("the body is %d bytes, over the limit of %d bytes", len(data), d.lim.MaxLineBytes)
	}
	fields := cloneWith(base, 8+len(lr.GetAttributes()))
	logFields(fields, lr)
	if traceID != "" {
		fields["trace.id"] = traceID
	}
	if spanID != "" {
		fields["span.id"] = spanID
	}
	d.req.Records = append(d.req.Records, ingest.Record{Data: data, JSON: isJSON, Fields: fields})
	d.req.Services = append(d.req.Services, service)
	return ""
}

// body appends the record's Data to the arena and returns it.
func (d *decoder) body(v *commonpb.AnyValue) ([]byte, bool) {
	mark := len(d.arena)
	isJSON := false
	switch v.GetValue().(type) {
	case *commonpb.AnyValue_KvlistValue:
		d.arena, isJSON = appendJSON(d.arena, v), true
	case *commonpb.AnyValue_ArrayValue:
		d.arena = appendJSON(d.arena, v)
	default:
		d.arena = appendText(d.arena, v)
	}
	return d.arena[mark:len(d.arena):len(d.arena)], isJSON
}

// id returns a trace or span id of size bytes in lowercase hex. OTLP/JSON sends ids in hex,
// which protojson has read as base64: hex digits are base64 digits and the ids' lengths are
// multiples of four, so encoding the bytes again gives the hex back exactly.
func (d *decoder) id(b []byte, size int) (string, string) {
	switch {
	case len(b) == 0:
		return "", ""
	case len(b) == size:
		return hex.EncodeToString(b), ""
	case d.json && len(b) == size*3/2:
		h := base64.StdEncoding.EncodeToString(b)
		raw, err := hex.DecodeString(h)
		if err != nil {
			return "", fmt.Sprintf("%q is not hexadecimal", h)
		}
		return hex.EncodeToString(raw), ""
	}
	return "", fmt.Sprintf("%d bytes, not %d", len(b), size)
}
